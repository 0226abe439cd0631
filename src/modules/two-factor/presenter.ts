import { loginVerificationMethods, type User } from "../users/index.js";
import { backupCodesWarning, loginVerificationPolicy } from "./policy.js";
import { isTwoFactorEnabled } from "./service.js";

const METHOD_LABELS = {
  none: "two-factor:verification.none",
  email: "two-factor:verification.email",
  sms: "two-factor:verification.sms",
  totp: "two-factor:verification.totp",
} as const;

// While the authenticator is on, the other three are off for one reason the
// form states once (ui:verification.totpOnNote); each says what it would lose.
const WHILE_TOTP_ON = {
  none: "ui:verification.whileTotpOn.none",
  email: "ui:verification.whileTotpOn.email",
  sms: "ui:verification.whileTotpOn.sms",
} as const;

// Which login verification methods this user may choose, and why not.
// `reasonKey` (a translation key) is the short reason shown next to a
// disabled choice; `reason` is the policy's own sentence.
export function presentLoginVerification(user: User) {
  const totpOn = isTwoFactorEnabled(user);
  return loginVerificationMethods.map((id) => {
    const reason = loginVerificationPolicy.whyUnavailable(user, id);
    const reasonKey = reason !== null && totpOn && id !== "totp" ? WHILE_TOTP_ON[id] : null;
    return { id, label: METHOD_LABELS[id], available: reason === null, reason, reasonKey, selected: (totpOn ? "totp" : user.loginVerification) === id };
  });
}

export function presentTwoFactor(user: User, backupCodesLeft: number, signedInWithBackupCode: boolean) {
  const enabled = isTwoFactorEnabled(user);
  return {
    enabled,
    enabledAt: user.totpEnabledAt ?? null,
    backupCodesLeft: enabled ? backupCodesLeft : null,
    warning: enabled ? backupCodesWarning(backupCodesLeft) : null,
    canReenrol: enabled && signedInWithBackupCode,
    loginVerification: presentLoginVerification(user),
  };
}
