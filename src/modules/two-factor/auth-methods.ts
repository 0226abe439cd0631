import { AppError } from "../../platform/errors.js";
import { translatorFor } from "../../platform/i18n.js";
import { maskEmail, maskPhone } from "../../platform/mask.js";
import type { AuthMethod, Factor, MethodContext } from "../../web/sign-in/auth-method.js";
import { sendCode, verifyCode, type CodeTarget } from "../codes/index.js";
import type { User } from "../users/index.js";
import { backupCodesWarning } from "./policy.js";
import { isTwoFactorEnabled, useBackupCode, verifyTotp } from "./service.js";
import { signedInWithBackupCode } from "./slots.js";

// The second factors this module offers to the sign-in pipeline and to
// step-up. Decision (step-up): an account with two-factor authentication
// steps up with its second factor alone. The session already holds a
// password authentication; the possession factor is the stronger check, and
// asking for both would make a TOTP user wait for a new 30-second code.

const field = (name: string, label: string, hint: string) => ({ name, label, type: "text" as const, autocomplete: "one-time-code", numeric: true, hint });

const totpFactor: Factor = {
  kind: "possession",
  fields: [field("code", "Authentication code", "The 6-digit code from your authenticator app")],
  prompt: (_user, t) => t("two-factor:method.totpPrompt"),
  availableFor: (_deps, user) => isTwoFactorEnabled(user),
  async verify({ deps }, user, input) {
    await verifyTotp(deps, user, input.code ?? "");
    return {};
  },
};

export const totpMethod: AuthMethod = { id: "totp", label: "two-factor:method.totp", secondFactor: totpFactor, reauth: totpFactor };

const backupFactor: Factor = {
  kind: "possession",
  fields: [{ name: "backupCode", label: "two-factor:method.backup", type: "text", autocomplete: "off", hint: "two-factor:method.backupHint" }],
  prompt: (_user, t) => t("two-factor:method.backupPrompt"),
  availableFor: (_deps, user) => isTwoFactorEnabled(user),
  async verify({ deps, meta }, user, input) {
    const left = await useBackupCode(deps, user, input.backupCode ?? "", meta);
    const warning = backupCodesWarning(left);
    return {
      flash: warning
        ? { kind: "error", message: "two-factor:method.backupSignedInWarning", vars: { count: left, warning: warning.key } }
        : { kind: "info", message: "two-factor:method.backupSignedIn", vars: { count: left } },
      onSignedIn: (req) => signedInWithBackupCode.set(req, true),
    };
  },
};

// On /reauth a backup code confirms identity without the sign-in notice.
export const backupCodeMethod: AuthMethod = {
  id: "backup",
  label: "two-factor:method.backup",
  secondFactor: backupFactor,
  reauth: { ...backupFactor, verify: async (ctx, user, input) => (await backupFactor.verify(ctx, user, input), {}) },
};

// Sign-in codes by email or SMS: the weaker choices for accounts without an
// authenticator (the user picks one under "Sign-in verification").
function codeFactor(channel: "email" | "sms"): Factor {
  const target = (user: User): CodeTarget => ({ userId: user.id, purpose: "login", channel, target: channel === "email" ? user.email : user.phone! });
  const destination = (user: User) => (channel === "email" ? maskEmail(user.email) : maskPhone(user.phone ?? ""));
  return {
    kind: "possession",
    fields: [field("code", "two-factor:method.verificationCode", "two-factor:method.codeHint")],
    prompt: (user, t) => t(channel === "email" ? "two-factor:method.emailPrompt" : "two-factor:method.smsPrompt", { destination: destination(user) }),
    availableFor: (_deps, user) =>
      !isTwoFactorEnabled(user) &&
      (channel === "email" ? user.loginVerification === "email" && Boolean(user.emailVerifiedAt) : user.loginVerification === "sms" && Boolean(user.phone && user.phoneVerifiedAt)),
    async begin({ deps }: MethodContext, user) {
      // In the account's saved language, not the browser's (an email's first line is its subject).
      await sendCode(deps, target(user), (code) => translatorFor(user.language)(channel === "email" ? "two-factor:codeMail.signInEmail" : "two-factor:codeMail.signInSms", { code }));
    },
    async verify({ deps }, user, input) {
      if (!input.code) throw new AppError(422, "CODE_INVALID", { field: "code", message: "two-factor:method.enterSentCode" });
      await verifyCode(deps, target(user), input.code);
      return {};
    },
  };
}

export const emailCodeMethod: AuthMethod = { id: "email", label: "two-factor:method.email", secondFactor: codeFactor("email") };
export const smsCodeMethod: AuthMethod = { id: "sms", label: "two-factor:method.sms", secondFactor: codeFactor("sms") };

export const twoFactorMethods = [totpMethod, backupCodeMethod, emailCodeMethod, smsCodeMethod];
