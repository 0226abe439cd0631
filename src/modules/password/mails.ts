import { translatorFor } from "../../platform/i18n.js";
import { translatedMail, type MailMessage } from "../../platform/mail.js";
import { whenAndWhere, type NoticeContext, type NoticeRecipient } from "../audit/index.js";

export const RESET_LINK_SUBJECT = "Reset your Latchkey password";

export type PasswordChangeKind = "changed" | "reset" | "admin";

// A notice, never a secret: no password, no link that works without signing
// in. In the recipient's saved language and time zone (English and UTC when
// none).
export function passwordChangedMail(
  to: string,
  user: NoticeRecipient,
  change: { kind: PasswordChangeKind; context: NoticeContext; baseUrl: string; otherSessionsEnded: boolean },
): MailMessage {
  const t = translatorFor(user.language);
  const vars = { username: user.username, baseUrl: change.baseUrl };
  const after = change.kind !== "changed" ? "password:mail.afterAll" : change.otherSessionsEnded ? "password:mail.afterOthers" : "password:mail.afterKept";
  return {
    to,
    subject: t("password:mail.changedSubject"),
    text:
      [
        t("audit:mail.greeting", vars),
        t("password:mail.changedBody", { how: t(`password:mail.how.${change.kind}`) }),
        whenAndWhere(change.context, user),
        t(after, vars),
        // Whoever changed it knows the new password: the way back is a reset
        // link to this address, which also signs every session out.
        t("password:mail.changedNotYou", vars),
      ].join("\n\n") + "\n",
  };
}

export function resetLinkMail(to: string, username: string, link: string, language?: string | null): MailMessage {
  return translatedMail(to, language, { subject: "password:mail.resetSubject", body: "password:mail.resetBody" }, { username, link });
}

// SSO accounts have no password here; telling the owner so beats silence.
export function noPasswordToResetMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  return translatedMail(to, language, { subject: "password:mail.resetSubject", body: "password:mail.noPasswordBody" }, { username, baseUrl });
}

// Sent when failed sign-ins (or failed password confirmations) lock the account.
export function accountLockedMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  return translatedMail(to, language, { subject: "password:mail.lockedSubject", body: "password:mail.lockedBody" }, { username, baseUrl });
}
