import type { User } from "../users/tables.js";
import { backupCodesWarning, isTwoFactorEnabled } from "./service.js";

const METHOD_LABELS = {
  none: "Password only",
  email: "Email code (weaker: anyone with access to your mailbox can sign in)",
  sms: "SMS code",
  totp: "Authenticator app (recommended)",
} as const;

// Which login verification methods this user may choose, and why not.
export function presentLoginVerification(user: User) {
  const totpOn = isTwoFactorEnabled(user);
  const reasons: Record<keyof typeof METHOD_LABELS, string | null> = {
    none: totpOn ? "Turn off two-factor authentication first." : null,
    email: totpOn ? "Turn off two-factor authentication first." : user.emailVerifiedAt ? null : "Verify your email address first.",
    sms: totpOn ? "Turn off two-factor authentication first." : user.phone && user.phoneVerifiedAt ? null : "Verify a phone number first.",
    totp: totpOn ? null : "Turn on two-factor authentication first.",
  };
  return (Object.keys(METHOD_LABELS) as Array<keyof typeof METHOD_LABELS>).map((id) => ({
    id,
    label: METHOD_LABELS[id],
    available: reasons[id] === null,
    reason: reasons[id],
    selected: (totpOn ? "totp" : user.loginVerification) === id,
  }));
}

export function presentTwoFactor(user: User, backupCodesLeft: number, signedInWithBackupCode: boolean) {
  const enabled = isTwoFactorEnabled(user);
  return {
    enabled,
    enabledAt: user.totpEnabledAt ? user.totpEnabledAt.toISOString().slice(0, 10) : null,
    backupCodesLeft: enabled ? backupCodesLeft : null,
    warning: enabled ? backupCodesWarning(backupCodesLeft) : null,
    canReenrol: enabled && signedInWithBackupCode,
    loginVerification: presentLoginVerification(user),
  };
}
