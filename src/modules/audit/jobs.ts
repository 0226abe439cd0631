import { inArray, lt } from "drizzle-orm";
import { z } from "zod";
import type { JobDefinition, SqlDb } from "../../platform/jobs/index.js";
import { auditEvents } from "./tables.js";

const DAY_MS = 86_400_000;
export const PRUNE_BATCH = 1000;

// Deletes events created before `before`, `batchSize` rows per statement, so
// a first run over years of history never holds one huge lock or transaction.
// Oldest ids first: ids grow with time, so the primary key finds the old rows
// at once and only the last (empty) batch reads further.
export async function pruneAuditEvents(db: SqlDb, before: Date, batchSize = PRUNE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const oldest = db.select({ id: auditEvents.id }).from(auditEvents).where(lt(auditEvents.createdAt, before)).orderBy(auditEvents.id).limit(batchSize);
    const deleted = await db.delete(auditEvents).where(inArray(auditEvents.id, oldest)).returning({ id: auditEvents.id });
    total += deleted.length;
    if (deleted.length < batchSize) return total;
  }
}

// Daily at 03:17 UTC (a quiet hour, off the full hour other cron jobs crowd).
export const pruneAuditEventsJob: JobDefinition<Record<string, never>> = {
  name: "audit.prune",
  queue: "audit",
  schema: z.object({}).strict() as z.ZodType<Record<string, never>>,
  repeat: { pattern: "17 3 * * *" },
  async perform(deps) {
    const before = new Date(deps.clock.now().getTime() - deps.config.auditRetentionDays * DAY_MS);
    const deleted = await pruneAuditEvents(deps.db, before);
    deps.logger.info({ deleted, before: before.toISOString() }, "old security events deleted");
  },
};
