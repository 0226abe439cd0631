import { mailMessageSchema, type MailMessage } from "../mail.js";
import type { JobDefinition } from "./definition.js";

// The job id is the delivery key: a re-run overwrites the same outbox file or
// reuses the same SMTP Message-ID instead of making a second message.
export const sendMailJob: JobDefinition<MailMessage> = {
  name: "send-mail",
  queue: "mail",
  schema: mailMessageSchema,
  async perform(deps, payload, { jobId }) {
    await deps.mailer.send(payload, { key: jobId });
  },
};
