import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { MailMessage } from "./mail.js";
import type { SmsMessage } from "./sms.js";

export const MAIL_QUEUE = "mail";
export const SMS_QUEUE = "sms";

export interface Queues {
  mail: Queue<MailMessage>;
  sms: Queue<SmsMessage>;
  close(): Promise<void>;
}

// Jobs retry with exponential backoff; finished jobs are trimmed so Redis does
// not grow without bound. Mail bodies may hold codes, so completed jobs go.
export function createQueues(connection: Redis, prefix: string): Queues {
  const options = {
    connection,
    prefix: `${prefix}bull`,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential" as const, delay: 2000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    },
  };
  const mail = new Queue<MailMessage>(MAIL_QUEUE, options);
  const sms = new Queue<SmsMessage>(SMS_QUEUE, options);
  return {
    mail,
    sms,
    close: async () => void (await Promise.all([mail.close(), sms.close()])),
  };
}

export async function enqueueMail(queues: Queues, message: MailMessage): Promise<void> {
  await queues.mail.add("send-mail", message);
}

export async function enqueueSms(queues: Queues, message: SmsMessage): Promise<void> {
  await queues.sms.add("send-sms", message);
}
