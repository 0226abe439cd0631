import { and, asc, inArray, isNull } from "drizzle-orm";
import type { JobDeps } from "../jobs/definition.js";
import type { JobQueues } from "../jobs/queues.js";
import { listenForOutboxRows } from "./listener.js";
import { payloadOpener } from "./sealing.js";
import { outbox } from "./tables.js";
import { withinTime } from "../timeout.js";

export interface OutboxRelay {
  wake(): void;
  // Finishes the batch in flight, then stops.
  close(): Promise<void>;
}

export interface RelayOptions {
  batchSize?: number;
  pollMs?: number;
  maxBackoffMs?: number;
  // Bounds how long a batch's transaction (and its row locks) waits on Redis.
  addTimeoutMs?: number;
}

type RelayDeps = Pick<JobDeps, "db" | "logger" | "config">;

// Moves committed outbox rows into BullMQ, the row id becoming the job id.
// Each batch locks its rows (skip locked, so several relays share the work),
// adds them to Redis, deletes them and commits; if Redis or PostgreSQL fails,
// the transaction rolls back and the rows wait for the next round. Woken by
// NOTIFY on PostgreSQL, and by a short poll everywhere (PGlite has no second
// connection to listen on).
export function startOutboxRelay(deps: RelayDeps, queues: JobQueues, options: RelayOptions = {}): OutboxRelay {
  const batchSize = options.batchSize ?? 100;
  const pollMs = options.pollMs ?? (deps.config.databaseUrl ? 1000 : 500);
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const addTimeoutMs = options.addTimeoutMs ?? 5000;
  const openPayload = payloadOpener(deps.config.secretKey);
  const timer = wakeableTimer();
  let stopped = false;

  async function relayBatch(): Promise<number> {
    if (!queues.isConnected()) throw new Error("Redis is not connected");
    return deps.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(and(inArray(outbox.queue, queues.names()), isNull(outbox.lastError)))
        .orderBy(asc(outbox.createdAt))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return 0;
      const byQueue = new Map<string, Array<{ name: string; payload: unknown; jobId: string }>>();
      const unreadable: string[] = [];
      for (const row of rows) {
        let payload: unknown;
        try {
          payload = openPayload(row.sealedPayload);
        } catch {
          unreadable.push(row.id);
          continue;
        }
        byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), { name: row.jobName, payload, jobId: row.id }]);
      }
      await withinTime(Promise.all([...byQueue].map(([queue, jobs]) => queues.addAll(queue, jobs))), addTimeoutMs, "Redis's answer");
      const relayed = rows.map((row) => row.id).filter((id) => !unreadable.includes(id));
      if (relayed.length) await tx.delete(outbox).where(inArray(outbox.id, relayed));
      if (unreadable.length) {
        // Sealed with another SECRET_KEY: no retry can help; keep them visible.
        await tx.update(outbox).set({ lastError: "payload cannot be unsealed with this SECRET_KEY" }).where(inArray(outbox.id, unreadable));
        deps.logger.warn({ outboxIds: unreadable }, "outbox rows cannot be unsealed and were set aside");
      }
      return rows.length;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      let delay = pollMs;
      try {
        const moved = await relayBatch();
        if (failures > 0) deps.logger.info({ failures }, "outbox relay recovered");
        failures = 0;
        if (moved === batchSize) continue; // more rows are waiting
      } catch (error) {
        failures++;
        // Outages are expected and heal by themselves: warn, with the log
        // thinning out as the outage lasts (1st, 2nd, 4th, 8th... failure).
        if ((failures & (failures - 1)) === 0) {
          deps.logger.warn({ err: (error as Error).message, failures }, "outbox relay cannot move jobs yet; will retry");
        }
        delay = Math.min(pollMs * 2 ** Math.min(failures, 10), maxBackoffMs);
      }
      await timer.sleep(delay, failures === 0);
    }
  }

  const stopListening = deps.config.databaseUrl ? listenForOutboxRows(deps.config.databaseUrl, () => timer.wake()) : () => Promise.resolve();
  const running = run();
  return {
    wake: () => timer.wake(),
    async close() {
      stopped = true;
      timer.wake(true);
      await running;
      await stopListening();
    },
  };
}

// A sleep that a notification can cut short. A wake while busy is remembered
// so the next sleep returns at once; while backing off after a failure only
// `force` (shutdown) cuts the sleep, so notifications cannot turn an outage
// into a busy loop.
function wakeableTimer() {
  let wakeSleeper: ((force: boolean) => void) | undefined;
  let pendingWake = false;
  return {
    sleep(ms: number, wakeable: boolean): Promise<void> {
      if (wakeable && pendingWake) {
        pendingWake = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timeout = setTimeout(done, ms);
        function done() {
          clearTimeout(timeout);
          wakeSleeper = undefined;
          resolve();
        }
        wakeSleeper = (force) => (force || wakeable ? done() : undefined);
      });
    },
    wake(force = false) {
      if (wakeSleeper) wakeSleeper(force);
      else pendingWake = true;
    },
  };
}
