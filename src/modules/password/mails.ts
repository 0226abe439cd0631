import { translatorFor } from "../../platform/i18n.js";
import type { MailMessage } from "../../platform/mail.js";
import { whenAndWhere, type NoticeContext } from "../audit/index.js";

export const PASSWORD_CHANGED_SUBJECT = "Your Latchkey password was changed";
export const RESET_LINK_SUBJECT = "Reset your Latchkey password";

const HOW = {
  changed: "with your current password",
  reset: "with a password reset link sent to this address",
  admin: "by an instance administrator",
} as const;
export type PasswordChangeKind = keyof typeof HOW;

// A notice, never a secret: no password, no link that works without signing in.
export function passwordChangedMail(
  to: string,
  username: string,
  change: { kind: PasswordChangeKind; context: NoticeContext; baseUrl: string; otherSessionsEnded: boolean },
): MailMessage {
  const after =
    change.kind !== "changed"
      ? "Every session of your account was signed out."
      : change.otherSessionsEnded
        ? "Your other sessions were signed out."
        : `Your other sessions stay signed in; you can sign them out at ${change.baseUrl}/settings/security.`;
  return {
    to,
    subject: PASSWORD_CHANGED_SUBJECT,
    text:
      `Hi ${username},\n\nthe password of your Latchkey account was changed ${HOW[change.kind]}.\n\n` +
      `${whenAndWhere(change.context)}\n\n${after}\n\n` +
      // Whoever changed it knows the new password: the way back is a reset
      // link to this address, which also signs every session out.
      `Not you? Reset your password now at ${change.baseUrl}/forgot-password (this signs out every session) and tell your administrator.\n`,
  };
}

// In the recipient's saved language (English when none): translatorFor(language).
export function resetLinkMail(to: string, username: string, link: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t("password:mail.resetSubject"), text: t("password:mail.resetBody", { username, link }) };
}

// SSO accounts have no password here; telling the owner so beats silence.
export function noPasswordToResetMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t("password:mail.resetSubject"), text: t("password:mail.noPasswordBody", { username, baseUrl }) };
}

// Sent when failed sign-ins (or failed password confirmations) lock the account.
export function accountLockedMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t("password:mail.lockedSubject"), text: t("password:mail.lockedBody", { username, baseUrl }) };
}
