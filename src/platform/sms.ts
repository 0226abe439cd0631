import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const smsMessageSchema = z.object({
  to: z.string().regex(/^\+[1-9]\d{6,14}$/),
  text: z.string().min(1).max(480),
});
export type SmsMessage = z.infer<typeof smsMessageSchema>;

export interface SmsTransport {
  kind: "webhook" | "outbox";
  send(message: SmsMessage): Promise<void>;
}

export interface SmsOutboxEntry extends SmsMessage {
  id: string;
  sentAt: string;
}

// A small transport interface: with SMS_WEBHOOK_URL set, each message is POSTed
// as JSON {to, text} to the gateway; otherwise it lands in an outbox under
// DATA_DIR, shown on the development mailbox page. A non-2xx answer throws so
// the queue retries with backoff.
export function createSmsTransport(options: { webhookUrl?: string; outboxDir: string }): SmsTransport {
  if (options.webhookUrl) {
    const url = options.webhookUrl;
    return {
      kind: "webhook",
      async send(message) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
      },
    };
  }
  return {
    kind: "outbox",
    async send(message) {
      mkdirSync(options.outboxDir, { recursive: true });
      const sentAt = new Date();
      const id = `${sentAt.getTime()}-${Math.random().toString(36).slice(2, 10)}`;
      writeFileSync(path.join(options.outboxDir, `${id}.json`), JSON.stringify({ id, sentAt: sentAt.toISOString(), ...message }, null, 2));
    },
  };
}

export function readSmsOutbox(outboxDir: string): SmsOutboxEntry[] {
  let files: string[];
  try {
    files = readdirSync(outboxDir).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((file) => JSON.parse(readFileSync(path.join(outboxDir, file), "utf8")) as SmsOutboxEntry)
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id));
}
