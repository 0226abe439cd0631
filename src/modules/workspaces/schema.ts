import { z } from "zod";

export const workspaceNameSchema = z
  .string({ error: "Enter a workspace name." })
  .trim()
  .min(2, "Use 2 to 64 characters.")
  .max(64, "Use 2 to 64 characters.");

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "Use 2 to 48 characters.")
  .max(48, "Use 2 to 48 characters.")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters, digits and single dashes.");

export const createWorkspaceSchema = z.object({
  name: workspaceNameSchema,
  // Empty means "derive it from the name".
  slug: z.union([z.literal(""), slugSchema]).optional(),
});
export type CreateWorkspaceInput = z.infer<typeof createWorkspaceSchema>;

export const switchWorkspaceSchema = z.object({ slug: slugSchema });

export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return slug.length >= 2 ? slug : `workspace-${slug || "1"}`.slice(0, 48);
}
