import { z } from "zod";
import { passwordField } from "../auth/schema.js";
import { emailSchema, usernameSchema } from "../users/schema.js";
import { slugSchema, workspaceNameSchema } from "../workspaces/schema.js";

export const setupSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordField,
    confirmPassword: z.string({ error: "Confirm the password." }).min(1, "Confirm the password."),
    workspaceName: workspaceNameSchema,
    workspaceSlug: z.union([z.literal(""), slugSchema]).optional(),
  })
  .refine((input) => input.password === input.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });
export type SetupInput = z.infer<typeof setupSchema>;
