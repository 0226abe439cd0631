import { z } from "zod";
import { PASSWORDS_DIFFER } from "../password/index.js";
import { emailSchema, usernameSchema } from "../users/index.js";

export const passwordField = z.string({ error: "Enter a password." }).min(1, "Enter a password.").max(1024, "Use at most 128 characters.");

export const registerSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    password: passwordField,
    confirmPassword: z.string({ error: "Confirm the password." }).min(1, "Confirm the password."),
  })
  .refine((input) => input.password === input.confirmPassword, PASSWORDS_DIFFER);
export type RegisterInput = z.infer<typeof registerSchema>;

export const loginSchema = z.object({
  login: z.string({ error: "Enter your username or email." }).trim().min(1, "Enter your username or email.").max(254, "That is too long."),
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024, "That is too long."),
  return_to: z.string().optional(),
});
export type LoginInput = z.infer<typeof loginSchema>;
