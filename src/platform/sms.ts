import { z } from "zod";
import { readOutboxFolder, writeToOutbox, type OutboxEntry } from "./outbox.js";

export const smsMessageSchema = z.object({
  to: z.string().regex(/^\+[1-9]\d{6,14}$/),
  text: z.string().min(1).max(480),
});
export type SmsMessage = z.infer<typeof smsMessageSchema>;

export interface SmsTransport {
  kind: "webhook" | "outbox";
  send(message: SmsMessage): Promise<void>;
}

export type SmsOutboxEntry = SmsMessage & OutboxEntry;

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
    send: async (message) => writeToOutbox(options.outboxDir, message),
  };
}

export function readSmsOutbox(outboxDir: string): SmsOutboxEntry[] {
  return readOutboxFolder<SmsOutboxEntry>(outboxDir);
}
