import type { MailMessage } from "../../platform/mail.js";

export function welcomeMail(to: string, username: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: "Welcome to Latchkey",
    text: `Hi ${username},\n\nyour Latchkey account is ready. Sign in at ${baseUrl}/login.\n\nSecure it next: ${baseUrl}/settings/security\n`,
  };
}

export function accountLockedMail(to: string, username: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: "Sign-in to your Latchkey account was paused",
    text:
      `Hi ${username},\n\nthere were 10 failed sign-in attempts on your account in 15 minutes, so sign-in is paused for 15 minutes.\n` +
      `If this was not you, nobody got in; consider changing your password at ${baseUrl}/settings/security once you are back.\n`,
  };
}
