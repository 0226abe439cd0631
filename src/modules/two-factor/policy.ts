import type { LoginVerificationMethod, User } from "../users/index.js";

export const LOW_BACKUP_CODES = 3;

type Account = Pick<User, "totpEnabledAt" | "totpSecretEncrypted" | "emailVerifiedAt" | "phone" | "phoneVerifiedAt">;

const totpOn = (user: Account) => Boolean(user.totpEnabledAt && user.totpSecretEncrypted);

// Decisions only, no I/O (policy.test.ts).
export const loginVerificationPolicy = {
  // TOTP, once enabled, is forced; email and SMS need a verified contact.
  whyUnavailable(user: Account, method: LoginVerificationMethod): string | null {
    if (method === "totp") return totpOn(user) ? null : "Turn on two-factor authentication first.";
    if (totpOn(user)) return "Turn off two-factor authentication first.";
    if (method === "email" && !user.emailVerifiedAt) return "Verify your email address first.";
    if (method === "sms" && !(user.phone && user.phoneVerifiedAt)) return "Verify a phone number first.";
    return null;
  },
};

export function backupCodesWarning(left: number | null): string | null {
  if (left === null) return null;
  if (left === 0) return "You have no backup codes left. Generate new ones now.";
  return left <= LOW_BACKUP_CODES ? `Only ${left} backup codes left. Generate new ones soon.` : null;
}
