import { z } from "zod";
import { PASSWORDS_DIFFER } from "../password/index.js";
import { emailSchema, usernameSchema } from "../users/index.js";

export const passwordField = z.string({ error: "auth:errors.passwordRequired" }).min(1, "auth:errors.passwordRequired").max(1024, "auth:errors.passwordTooLong");

export const registerSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordField,
    confirmPassword: z.string({ error: "auth:errors.confirmRequired" }).min(1, "auth:errors.confirmRequired"),
  })
  .refine((input) => input.password === input.confirmPassword, PASSWORDS_DIFFER);
export type RegisterInput = z.infer<typeof registerSchema>;

export const loginSchema = z.object({
  login: z.string({ error: "auth:errors.loginRequired" }).trim().min(1, "auth:errors.loginRequired").max(254, "auth:errors.tooLong"),
  password: z.string({ error: "auth:errors.enterPassword" }).min(1, "auth:errors.enterPassword").max(1024, "auth:errors.tooLong"),
  return_to: z.string().optional(),
});
export type LoginInput = z.infer<typeof loginSchema>;
