import { z } from "zod";
import { PASSWORDS_DIFFER } from "../password/index.js";
import { passwordField } from "../auth/index.js";
import { emailSchema, usernameSchema } from "../users/index.js";
import { slugSchema, workspaceNameSchema } from "../workspaces/index.js";

export const setupSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordField,
    confirmPassword: z.string({ error: "auth:errors.confirmRequired" }).min(1, "auth:errors.confirmRequired"),
    workspaceName: workspaceNameSchema,
    workspaceSlug: z.union([z.literal(""), slugSchema]).optional(),
  })
  .refine((input) => input.password === input.confirmPassword, PASSWORDS_DIFFER);
export type SetupInput = z.infer<typeof setupSchema>;
