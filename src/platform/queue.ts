import { sendMailJob } from "./jobs/mail-job.js";
import { sendSmsJob } from "./jobs/sms-job.js";
import type { SqlDb } from "./jobs/definition.js";
import type { MailMessage } from "./mail.js";
import { enqueueJob, outboxInsert } from "./outbox/enqueue.js";
import type { SQL } from "drizzle-orm";
import type { SmsMessage } from "./sms.js";

export { createQueues, type JobQueues as Queues } from "./jobs/queues.js";

// Mail and SMS go out through the transactional outbox: pass the transaction
// that decides them (or deps.db for a send that follows no change). They leave
// once it commits and survive a Redis outage in between.
export async function enqueueMail(db: SqlDb, message: MailMessage): Promise<void> {
  await enqueueJob(db, sendMailJob, message);
}

// enqueueMail's outbox row as `insert … returning id`, for one statement that
// writes it with its change (see outboxInsert: that statement notifies).
export function mailOutboxInsert(message: MailMessage): SQL {
  return outboxInsert(sendMailJob, message);
}

export async function enqueueSms(db: SqlDb, message: SmsMessage): Promise<void> {
  await enqueueJob(db, sendSmsJob, message);
}
