import { z } from "zod";

// Length and strength are the policy's job (checkPassword), so its message is
// the one the user sees; this only bounds what is worth hashing.
const newPasswordField = z
  .string({ error: "Enter a new password." })
  .min(1, "Enter a new password.")
  .max(1024, "Use at most 128 characters.");

const confirmField = z.string({ error: "Repeat the new password." }).min(1, "Repeat the new password.").max(1024, "The passwords do not match.");

// Every form that sets a password asks for it twice.
export const PASSWORDS_DIFFER = { path: ["confirmPassword"], message: "The passwords do not match." };

// A new password typed twice, for every form that sets one.
export const newPasswordSchema = z
  .object({ newPassword: newPasswordField, confirmPassword: confirmField })
  .refine((input) => input.newPassword === input.confirmPassword, PASSWORDS_DIFFER);
export type NewPasswordInput = z.infer<typeof newPasswordSchema>;

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(1024, "Your current password is not correct."),
    newPassword: newPasswordField,
    confirmPassword: confirmField,
    // An unticked checkbox sends nothing, so absence means "keep the others".
    signOutOthers: z.string().max(8).optional(),
  })
  .refine((input) => input.newPassword === input.confirmPassword, PASSWORDS_DIFFER)
  .transform(({ signOutOthers, ...rest }) => ({ ...rest, signOutOthers: signOutOthers === "1" }));
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const forgotPasswordSchema = z.object({
  login: z.string({ error: "Enter your username or email." }).trim().min(1, "Enter your username or email.").max(254, "That is too long."),
});
export type ForgotPasswordInput = z.infer<typeof forgotPasswordSchema>;

// Only the path carries the token; the query string is never read. The
// token's shape is checked by the service, so a malformed one gets the same
// "invalid link" page as an unknown one.
export const resetTokenParams = z.object({ token: z.string() });
