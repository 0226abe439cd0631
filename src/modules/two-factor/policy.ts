import type { LoginVerificationMethod, User } from "../users/index.js";

export const LOW_BACKUP_CODES = 3;

type Account = Pick<User, "totpEnabledAt" | "totpSecretEncrypted" | "emailVerifiedAt" | "phone" | "phoneVerifiedAt">;

const totpOn = (user: Account) => Boolean(user.totpEnabledAt && user.totpSecretEncrypted);

// Decisions only, no I/O (policy.test.ts).
export const loginVerificationPolicy = {
  // TOTP, once enabled, is forced; email and SMS need a verified contact.
  whyUnavailable(user: Account, method: LoginVerificationMethod): string | null {
    if (method === "totp") return totpOn(user) ? null : "two-factor:unavailable.turnOnFirst";
    if (totpOn(user)) return "two-factor:unavailable.turnOffFirst";
    if (method === "email" && !user.emailVerifiedAt) return "two-factor:unavailable.verifyEmail";
    if (method === "sms" && !(user.phone && user.phoneVerifiedAt)) return "two-factor:unavailable.verifyPhone";
    return null;
  },
};

// A locale key and its variables (the page and the sign-in flash translate it).
export function backupCodesWarning(left: number | null): { key: string; vars: { count: number } } | null {
  if (left === null) return null;
  if (left === 0) return { key: "two-factor:warning.none", vars: { count: 0 } };
  return left <= LOW_BACKUP_CODES ? { key: "two-factor:warning.low", vars: { count: left } } : null;
}
