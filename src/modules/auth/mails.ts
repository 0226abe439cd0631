import { translatedMail, type MailMessage } from "../../platform/mail.js";

export function welcomeMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  return translatedMail(to, language, { subject: "auth:mail.welcomeSubject", body: "auth:mail.welcomeBody" }, { username, baseUrl });
}

export function secondFactorLockedMail(to: string, username: string, baseUrl: string, language?: string | null): MailMessage {
  return translatedMail(to, language, { subject: "auth:mail.lockedSubject", body: "auth:mail.lockedBody" }, { username, baseUrl });
}
