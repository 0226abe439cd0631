import nodemailer from "nodemailer";
import { z } from "zod";
import { readOutboxFolder, writeToOutbox, type OutboxEntry as StoredEntry } from "./file-outbox.js";
import { translatorFor, type TranslateVars } from "./i18n.js";

export const mailMessageSchema = z.object({
  to: z.string().min(3),
  subject: z.string().min(1).max(200),
  text: z.string().min(1),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;

// A mail that is a translated subject and body, in the recipient's saved
// language (English when none).
export function translatedMail(to: string, language: string | null | undefined, keys: { subject: string; body: string }, vars?: TranslateVars): MailMessage {
  const t = translatorFor(language);
  return { to, subject: t(keys.subject, vars), text: t(keys.body, vars) };
}

// `key` names one delivery (the job id): sending the same key twice must not
// make two messages where the transport can prevent it.
export interface DeliveryOptions {
  key?: string;
}

export interface MailTransport {
  kind: "smtp" | "outbox";
  send(message: MailMessage, options?: DeliveryOptions): Promise<void>;
}

export type OutboxEntry = MailMessage & StoredEntry & { from: string };

// SMTP in production; with no SMTP_URL, mail lands as JSON files in an outbox
// under DATA_DIR, readable on the development mailbox page.
export function createMailTransport(options: { smtpUrl?: string; from: string; outboxDir: string }): MailTransport {
  if (options.smtpUrl) {
    const transporter = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: "smtp",
      // A re-sent job carries the same Message-ID, so mail systems that
      // deduplicate on it (and every reader threading on it) see one message.
      send: async (message, delivery) =>
        void (await transporter.sendMail({ from: options.from, ...message, ...(delivery?.key ? { messageId: messageIdFor(delivery.key, options.from) } : {}) })),
    };
  }
  return {
    kind: "outbox",
    send: async (message, delivery) => writeToOutbox(options.outboxDir, { from: options.from, ...message }, delivery?.key),
  };
}

function messageIdFor(key: string, from: string): string {
  const domain = /@([\w.-]+)/.exec(from)?.[1] ?? "latchkey.localhost";
  return `<${key.replace(/[^\w.-]/g, "_")}@${domain}>`;
}

export function readOutbox(outboxDir: string): OutboxEntry[] {
  return readOutboxFolder<OutboxEntry>(outboxDir);
}
