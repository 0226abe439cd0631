import { translatorFor } from "../../platform/i18n.js";
import type { MailMessage } from "../../platform/mail.js";

// Mails are written in the recipient's saved language (English when none).
export function welcomeMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t("auth:mail.welcomeSubject"), text: t("auth:mail.welcomeBody", { username, baseUrl }) };
}

export function secondFactorLockedMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t("auth:mail.lockedSubject"), text: t("auth:mail.lockedBody", { username, baseUrl }) };
}
