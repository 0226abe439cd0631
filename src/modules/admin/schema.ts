import { z } from "zod";
import { passwordField } from "../auth/index.js";
import { PASSWORDS_DIFFER } from "../password/index.js";
import { emailSchema, usernameSchema } from "../users/index.js";

export const userIdParams = z.object({ id: z.uuid() });

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");

export const userListQuery = z.object({
  q: z.string().trim().max(254).optional().transform((value) => value || undefined),
  after: z.string().max(254).optional().transform((value) => value || undefined),
});

// Inline edits send the value the administrator saw, to detect a stale row.
export const usernameEdit = z.object({ current: z.string().max(254), username: usernameSchema });
export const emailEdit = z.object({ current: z.string().max(254), email: emailSchema });
export const twoFactorToggle = z.object({ enabled: z.enum(["on", "off"], { error: "admin:validation.onOff" }) });
export const registrationToggle = z.object({ registrationOpen: checkbox });

export const createUserSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordField,
    confirmPassword: z.string({ error: "admin:validation.confirmPassword" }).min(1, "admin:validation.confirmPassword"),
    mustChangePassword: checkbox,
    isInstanceAdmin: checkbox,
  })
  .refine((input) => input.password === input.confirmPassword, PASSWORDS_DIFFER);
export type CreateUserInput = z.infer<typeof createUserSchema>;
