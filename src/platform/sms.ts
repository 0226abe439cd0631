import { z } from "zod";
import type { DeliveryOptions } from "./mail.js";
import { readOutboxFolder, writeToOutbox, type OutboxEntry } from "./file-outbox.js";

export const smsMessageSchema = z.object({
  to: z.string().regex(/^\+[1-9]\d{6,14}$/),
  text: z.string().min(1).max(480),
});
export type SmsMessage = z.infer<typeof smsMessageSchema>;

export interface SmsTransport {
  kind: "webhook" | "outbox";
  send(message: SmsMessage, options?: DeliveryOptions): Promise<void>;
}

export type SmsOutboxEntry = SmsMessage & OutboxEntry;

// A small transport interface: with SMS_WEBHOOK_URL set, each message is POSTed
// as JSON {to, text} to the gateway; otherwise it lands in an outbox under
// DATA_DIR, shown on the development mailbox page. A non-2xx answer throws so
// the queue retries with backoff. The delivery key goes out as an
// Idempotency-Key header so a gateway can drop a re-sent job.
export function createSmsTransport(options: { webhookUrl?: string; outboxDir: string }): SmsTransport {
  if (options.webhookUrl) {
    const url = options.webhookUrl;
    return {
      kind: "webhook",
      async send(message, delivery) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(delivery?.key ? { "idempotency-key": delivery.key } : {}) },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
      },
    };
  }
  return {
    kind: "outbox",
    send: async (message, delivery) => writeToOutbox(options.outboxDir, message, delivery?.key),
  };
}

export function readSmsOutbox(outboxDir: string): SmsOutboxEntry[] {
  return readOutboxFolder<SmsOutboxEntry>(outboxDir);
}
