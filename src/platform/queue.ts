import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { MailMessage } from "./mail.js";

export const MAIL_QUEUE = "mail";

export interface Queues {
  mail: Queue<MailMessage>;
  close(): Promise<void>;
}

// Jobs retry with exponential backoff; finished jobs are trimmed so Redis does
// not grow without bound. Mail bodies may hold codes, so completed jobs go.
export function createQueues(connection: Redis, prefix: string): Queues {
  const mail = new Queue<MailMessage>(MAIL_QUEUE, {
    connection,
    prefix: `${prefix}bull`,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 2000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    },
  });
  return {
    mail,
    close: () => mail.close(),
  };
}

export async function enqueueMail(queues: Queues, message: MailMessage): Promise<void> {
  await queues.mail.add("send-mail", message);
}
