import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import { z } from "zod";

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

export interface OutboxEntry extends MailMessage {
  id: string;
  from: string;
  sentAt: string;
}

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
    async send(message) {
      mkdirSync(options.outboxDir, { recursive: true });
      const sentAt = new Date();
      const id = `${sentAt.getTime()}-${Math.random().toString(36).slice(2, 10)}`;
      const entry: OutboxEntry = { id, from: options.from, sentAt: sentAt.toISOString(), ...message };
      writeFileSync(path.join(options.outboxDir, `${id}.json`), JSON.stringify(entry, null, 2));
    },
  };
}

export function readOutbox(outboxDir: string): OutboxEntry[] {
  let files: string[];
  try {
    files = readdirSync(outboxDir).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((file) => JSON.parse(readFileSync(path.join(outboxDir, file), "utf8")) as OutboxEntry)
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id));
}
