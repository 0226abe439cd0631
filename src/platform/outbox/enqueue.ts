import { sql, type SQL } from "drizzle-orm";
import type { JobDefinition, SqlDb } from "../jobs/definition.js";
import { sealPayload } from "./sealing.js";
import { outbox } from "./tables.js";

// Relays LISTEN on this channel; NOTIFY is delivered only when (and if) the
// surrounding transaction commits.
export const OUTBOX_CHANNEL = "latchkey_outbox";

// Records a job to run once `db` commits. Pass the transaction that makes the
// change the job follows from: if it rolls back, the job never existed; once
// it commits, the job survives Redis outages and process crashes. The payload
// is validated now, so a bad one fails the change instead of a later job.
export async function enqueueJob<P>(db: SqlDb, job: JobDefinition<P>, payload: P): Promise<void> {
  // One statement: outside a transaction the row and its notification still
  // go together, and inside one it costs a single round trip.
  await db.execute(sql`
    with queued as (${outboxInsert(job, payload)})
    select pg_notify(${OUTBOX_CHANNEL}, '') from queued`);
}

// The job's outbox row as `insert … returning id`, for a statement that writes
// it together with the change it follows (audit/events.ts recordEventWith);
// that statement must notify OUTBOX_CHANNEL for the rows it returns, as
// enqueueJob does. The payload is validated and sealed now.
export function outboxInsert<P>(job: JobDefinition<P>, payload: P): SQL {
  const sealed = sealPayload(job.schema.parse(payload));
  return sql`insert into ${outbox} (queue, job_name, sealed_payload) values (${job.queue}, ${job.name}, ${sealed}) returning id`;
}
