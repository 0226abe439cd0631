import { defineEvents, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";
import { accountLockedMail } from "../password/index.js";
import { secondFactorLockedMail, welcomeMail } from "./mails.js";

const asNotice = (mail: { to: string; subject: string; text: string }): Notice => mail;

export const authEvents = defineEvents({
  registered: {
    type: "user.registered",
    label: "Account created",
    event: (user: User, baseUrl: string) => ({ actorId: user.id, subjectId: user.id, notices: [asNotice(welcomeMail(user.email, user.username, baseUrl, user.language))] }),
  },
  signedIn: {
    type: "auth.signed_in",
    label: "Signed in",
    event: (user: User, workspaceId: string | null, factors: string[]) => ({ actorId: user.id, subjectId: user.id, workspaceId, details: { via: factors.at(-1), factors } }),
  },
  signedOut: {
    type: "auth.signed_out",
    label: "Signed out",
    event: (userId: string) => ({ actorId: userId, subjectId: userId }),
  },
  signInFailed: {
    type: "auth.sign_in_failed",
    label: "Failed sign-in attempt",
    warning: true,
    // reason: unknown_account, no_password (e.g. passkey-only), wrong_password,
    // account_<status> (right password, account not active), account_paused
    // (refused: sign-in paused after too many failures; at most one a minute). Shown to
    // administrators only; the person signing in always gets one answer.
    event: (user: User | undefined, accountLocked: boolean, baseUrl: string, reason: string) => ({
      subjectId: user?.id ?? null,
      details: { accountLocked, reason },
      notices: user && accountLocked ? [asNotice(accountLockedMail(user.email, user.username, baseUrl, user.language))] : [],
    }),
  },
  secondStepFailed: {
    type: "auth.second_step_failed",
    label: "Sign-in stopped after wrong codes",
    warning: true,
    event: (user: User, method: string) => ({ subjectId: user.id, details: { method } }),
  },
  secondFactorLocked: {
    type: "auth.second_factor_locked",
    label: "Two-step verification paused after too many wrong codes",
    warning: true,
    event: (user: User, method: string, baseUrl: string) => ({
      subjectId: user.id,
      details: { method },
      notices: [asNotice(secondFactorLockedMail(user.email, user.username, baseUrl, user.language))],
    }),
  },
});
