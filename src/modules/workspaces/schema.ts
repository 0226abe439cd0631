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

function wholeNumberInRange(label: string, min: number, max: number, unit: string) {
  const message = `Enter a whole number of ${unit} from ${min} to ${max}.`;
  return z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(1, `Enter the ${label} (${min}–${max} ${unit}).`)
    .regex(/^\d{1,6}$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export const sessionLimitsSchema = z.object({
  sessionIdleMinutes: wholeNumberInRange("inactive session duration", 30, 10080, "minutes"),
  sessionMaxDays: wholeNumberInRange("maximum session duration", 1, 30, "days"),
});
export type SessionLimitsInput = z.infer<typeof sessionLimitsSchema>;
