import { randomBytes } from "node:crypto";
import { bigserial, pgTable, text } from "drizzle-orm/pg-core";
import { asc, inArray } from "drizzle-orm";
import type { Database } from "./db.js";
import type { Logger } from "./logger.js";
import { isCluster, tagKey, type RedisClient } from "./redis.js";
import { withinTime } from "./timeout.js";

// Change marks keep in-process copies of database rows (the signed-in user,
// web/principal-cache.ts) correct across every process, without trusting
// anyone to remember to invalidate them:
//
// 1. Triggers on the rows a copy is made of write a mark ("user:<id>") into
//    this table, in the writer's transaction, and raise CHANGE_MARKED_NOTICE
//    to the writer's own connection. Triggers, not code at each call site:
//    a write that someone forgets to announce cannot exist.
// 2. A statement or transaction that raised the notice does not resolve until
//    its marks (and any others committed by then) are published: each mark
//    becomes a fresh random version in Redis under changeVersionKey. So when
//    a request that changed something answers, every process already sees
//    the new version. See db.ts (the notice) and publishChangeMarks.
// 3. A reader takes the version before it reads the rows and keeps its copy
//    only while the version in Redis is the same.
//
// A mark outlives a crash between commit and publication (it is a row): the
// sweep of any process publishes it within SWEEP_MS. Versions are random, not
// counters, so a Redis that lost its data can never hand out an old version
// again. "No version yet" is a version too; a published one is kept a day,
// far longer than a copy may live (USER_CACHE_SECONDS ≤ 1 h), so it cannot
// expire back into "none" while a copy made under "none" is still in use.
export const changeMarks = pgTable("change_marks", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  key: text("key").notNull(),
});

const SWEEP_MS = 2000;
const VERSION_TTL_SECONDS = 86_400;
const BATCH = 500;
const WRITER_WAIT_MS = 2000;
const REDIS_WAIT_MS = 5000;

export function changeVersionKey(prefix: string, key: string): string {
  return `${prefix}change:${tagKey(key)}`;
}

// The current version of what `key` names; "" when none was published (or it
// expired), which is a version like any other.
export async function readChangeVersion(redis: RedisClient, prefix: string, key: string): Promise<string> {
  return (await redis.get(changeVersionKey(prefix, key))) ?? "";
}

export interface ChangeMarkPublisher {
  // True when every write waits for its marks to be published (PostgreSQL);
  // on PGlite only the sweep publishes them, so copies must not be kept.
  synchronous: boolean;
  close(): Promise<void>;
}

export function publishChangeMarks(database: Database, redis: RedisClient, prefix: string, logger: Logger): ChangeMarkPublisher {
  // The publisher's own transaction runs on a twin of the database handle
  // that does not wait for publication, or a flush would wait for itself.
  // A write waits at most WRITER_WAIT_MS: a Redis that stopped answering
  // without closing the connection must not hang every change (sessions
  // hang then too, and the flush or the sweep publishes once it answers).
  const quietDb = database.publishChangesWith?.(() => withinTime(flush(), WRITER_WAIT_MS, "publication"));
  const db = quietDb ?? database.db;

  async function publishBatch(): Promise<number> {
    return db.transaction(async (tx) => {
      // Taken in id order and deleted, the rows stay locked until Redis has
      // the versions: a concurrent flush waits for them (and then finds them
      // gone) instead of answering before they are published. If Redis
      // fails, the transaction rolls back and the marks wait for the sweep.
      const oldest = tx.select({ id: changeMarks.id }).from(changeMarks).orderBy(asc(changeMarks.id)).limit(BATCH).for("update");
      const rows = await tx.delete(changeMarks).where(inArray(changeMarks.id, oldest)).returning({ key: changeMarks.key });
      if (rows.length === 0) return 0;
      const keys = [...new Set(rows.map((row) => changeVersionKey(prefix, row.key)))];
      // Bounded: the row locks must not outlive a Redis that stopped answering.
      await withinTime(setVersions(keys), REDIS_WAIT_MS, "Redis's answer");
      return rows.length;
    });
  }

  async function setVersions(keys: string[]): Promise<void> {
    const version = `${Date.now().toString(36)}.${randomBytes(9).toString("base64url")}`;
    if (isCluster(redis)) {
      await Promise.all(keys.map((key) => redis.set(key, version, "EX", VERSION_TTL_SECONDS)));
      return;
    }
    const replies = await keys.reduce((batch, key) => batch.set(key, version, "EX", VERSION_TTL_SECONDS), redis.multi()).exec();
    const refused = replies?.find(([error]) => error)?.[0];
    if (!replies || refused) throw refused ?? new Error("Redis discarded the versions");
  }

  async function publishAll(): Promise<void> {
    while ((await publishBatch()) === BATCH);
  }

  // Single flight with one trailing run: a caller's marks were committed
  // before it called, so a run that started earlier may have missed them.
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  function flush(): Promise<void> {
    if (!running) {
      running = publishAll().finally(() => (running = undefined));
      return running;
    }
    next ??= running.catch(() => {}).then(() => {
      next = undefined;
      return flush();
    });
    return next;
  }

  let failures = 0;
  const sweep = setInterval(() => {
    flush().then(
      () => (failures = 0),
      (error: Error) => {
        // Thinning log, as the outbox relay's: 1st, 2nd, 4th, 8th… failure.
        if ((++failures & (failures - 1)) === 0) logger.warn({ err: error.message, failures }, "change marks cannot be published yet; will retry");
      },
    );
  }, SWEEP_MS);
  sweep.unref();

  return {
    synchronous: quietDb !== undefined,
    async close() {
      clearInterval(sweep);
      await running?.catch(() => {});
    },
  };
}
