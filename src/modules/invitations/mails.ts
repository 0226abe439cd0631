import type { MailMessage } from "../../platform/mail.js";

export function invitationMail(to: string, inviter: string, workspaceName: string, role: string, link: string): MailMessage {
  return {
    to,
    subject: `You are invited to ${workspaceName} on Latchkey`,
    text:
      `Hi,\n\n${inviter} invited you to join the workspace ${workspaceName} on Latchkey as ${role === "admin" ? "an admin" : "a member"}.\n\n` +
      `Accept the invitation: ${link}\n\n` +
      `The link works once and for 7 days. You sign in, or create an account, with this email address (${to}).\n` +
      `If you did not expect this, ignore this email.\n`,
  };
}
