import { mailMessageSchema, type MailMessage } from "../src/platform/mail.js";
import type { Deps } from "../src/platform/deps.js";

// Idempotent enough for retries: a retry after a partial SMTP failure may send
// twice, which is the accepted trade-off for never losing a code or notice.
export const sendMailJob = {
  name: "send-mail",
  schema: mailMessageSchema,
  async perform(deps: Pick<Deps, "mailer">, payload: MailMessage): Promise<void> {
    await deps.mailer.send(mailMessageSchema.parse(payload));
  },
};
