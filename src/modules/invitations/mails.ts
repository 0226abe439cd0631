import { translatorFor } from "../../platform/i18n.js";
import type { MailMessage } from "../../platform/mail.js";

// In `language` (the invitee's saved language when they have an account,
// see service.ts; English otherwise).
export function invitationMail(to: string, inviter: string, workspaceName: string, role: string, link: string, language?: string | null): MailMessage {
  const t = translatorFor(language);
  const vars = { inviter, workspace: workspaceName, link, email: to, role: t(role === "admin" ? "invitations:mail.asAdmin" : "invitations:mail.asMember") };
  return { to, subject: t("invitations:mail.subject", vars), text: t("invitations:mail.body", vars) };
}
