import { z } from "zod";

// Length and strength are the policy's job (checkPassword), so its message is
// the one the user sees; this only bounds what is worth hashing.
const newPasswordField = z
  .string({ error: "password:errors.newRequired" })
  .min(1, "password:errors.newRequired")
  .max(1024, "password:errors.tooLong");

const confirmField = z.string({ error: "password:errors.repeat" }).min(1, "password:errors.repeat").max(1024, "password:errors.differ");

// Every form that sets a password asks for it twice.
export const PASSWORDS_DIFFER = { path: ["confirmPassword"], message: "password:errors.differ" };

// A new password typed twice, for every form that sets one.
export const newPasswordSchema = z
  .object({ newPassword: newPasswordField, confirmPassword: confirmField })
  .refine((input) => input.newPassword === input.confirmPassword, PASSWORDS_DIFFER);
export type NewPasswordInput = z.infer<typeof newPasswordSchema>;

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "password:errors.currentRequired" }).min(1, "password:errors.currentRequired").max(1024, "password:errors.currentIncorrect"),
    newPassword: newPasswordField,
    confirmPassword: confirmField,
    // An unticked checkbox sends nothing, so absence means "keep the others".
    signOutOthers: z.string().max(8).optional(),
  })
  .refine((input) => input.newPassword === input.confirmPassword, PASSWORDS_DIFFER)
  .transform(({ signOutOthers, ...rest }) => ({ ...rest, signOutOthers: signOutOthers === "1" }));
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const forgotPasswordSchema = z.object({
  login: z.string({ error: "password:errors.loginRequired" }).trim().min(1, "password:errors.loginRequired").max(254, "password:errors.loginTooLong"),
});
export type ForgotPasswordInput = z.infer<typeof forgotPasswordSchema>;

// Only the path carries the token; the query string is never read. The
// token's shape is checked by the service, so a malformed one gets the same
// "invalid link" page as an unknown one.
export const resetTokenParams = z.object({ token: z.string() });
