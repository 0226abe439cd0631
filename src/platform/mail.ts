import nodemailer from "nodemailer";
import { z } from "zod";
import { readOutboxFolder, writeToOutbox, type OutboxEntry as StoredEntry } from "./outbox.js";

export const mailMessageSchema = z.object({
  to: z.string().min(3),
  subject: z.string().min(1).max(200),
  text: z.string().min(1),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;

export interface MailTransport {
  kind: "smtp" | "outbox";
  send(message: MailMessage): Promise<void>;
}

export type OutboxEntry = MailMessage & StoredEntry & { from: string };

// SMTP in production; with no SMTP_URL, mail lands as JSON files in an outbox
// under DATA_DIR, readable on the development mailbox page.
export function createMailTransport(options: { smtpUrl?: string; from: string; outboxDir: string }): MailTransport {
  if (options.smtpUrl) {
    const transporter = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: "smtp",
      send: async (message) => void (await transporter.sendMail({ from: options.from, ...message })),
    };
  }
  return {
    kind: "outbox",
    send: async (message) => writeToOutbox(options.outboxDir, { from: options.from, ...message }),
  };
}

export function readOutbox(outboxDir: string): OutboxEntry[] {
  return readOutboxFolder<OutboxEntry>(outboxDir);
}
