import type { MailMessage } from "../../platform/mail.js";

export function welcomeMail(to: string, username: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: "Welcome to Latchkey",
    text: `Hi ${username},\n\nyour Latchkey account is ready. Sign in at ${baseUrl}/login.\n\nSecure it next: ${baseUrl}/settings/security\n`,
  };
}

export function secondFactorLockedMail(to: string, username: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: "Two-step verification on your Latchkey account was paused",
    text:
      `Hi ${username},\n\nthere were 10 wrong verification codes for your account in 15 minutes, after a correct password. ` +
      `Two-step verification is paused for 15 minutes.\n` +
      `Someone may know your password: change it at ${baseUrl}/settings/security once you are back, and check your recent security activity.\n`,
  };
}
