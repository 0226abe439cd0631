import { z } from "zod";

export const workspaceNameSchema = z
  .string({ error: "workspaces:errors.nameRequired" })
  .trim()
  .min(2, "workspaces:errors.nameLength")
  .max(64, "workspaces:errors.nameLength");

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "workspaces:errors.slugLength")
  .max(48, "workspaces:errors.slugLength")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "workspaces:errors.slugChars");

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

// `keys` prefixes workspaces:errors.<keys>Required / Empty / Range.
function wholeNumberInRange(keys: string, min: number, max: number) {
  const message = `workspaces:errors.${keys}Range`;
  return z
    .string({ error: `workspaces:errors.${keys}Required` })
    .trim()
    .min(1, `workspaces:errors.${keys}Empty`)
    .regex(/^\d{1,6}$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export const sessionLimitsSchema = z.object({
  sessionIdleMinutes: wholeNumberInRange("idle", 30, 10080),
  sessionMaxDays: wholeNumberInRange("max", 1, 30),
});
export type SessionLimitsInput = z.infer<typeof sessionLimitsSchema>;
