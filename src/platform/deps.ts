import path from "node:path";
import type { RedisClient } from "./redis.js";
import type { Config } from "../config.js";
import { openDatabase, type Database, type Db } from "./db.js";
import { systemClock, type Clock } from "./clock.js";
import { createLogger, type Logger } from "./logger.js";
import { createMailTransport, type MailTransport } from "./mail.js";
import { platformJobs, type AnyJobDefinition } from "./jobs/index.js";
import { setOutboxSecretKey } from "./outbox/index.js";
import { createQueues, type Queues } from "./queue.js";
import { createSmsTransport, type SmsTransport } from "./sms.js";
import { connectRedisOrExplain, createRedisConnection } from "./redis.js";
import { createSessionIndex, type SessionIndex } from "./session-index.js";
import { createGeoLocator, type GeoLocator } from "./geoip.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { count } from "drizzle-orm";
import { outbox } from "./outbox/tables.js";
import { changeMarks as changeMarksTable, publishChangeMarks, type ChangeMarkPublisher } from "./change-marks.js";

// Everything a request, a service or a job needs, built once and passed in.
// No module-level singletons: tests build their own with buildDeps.
export interface Deps {
  config: Config;
  logger: Logger;
  database: Database;
  db: Db;
  redis: RedisClient;
  queues: Queues;
  mailer: MailTransport;
  sms: SmsTransport;
  clock: Clock;
  sessionIndex: SessionIndex;
  // The approximate place of an IP (GEOIP_DATABASE), or the IP alone.
  geo: GeoLocator;
  // Prometheus counters and histograms (platform/metrics.ts), this process's.
  metrics: Metrics;
  outboxDir: string;
  smsOutboxDir: string;
  // Publishes what the database's triggers mark as changed (change-marks.ts).
  changeMarks: ChangeMarkPublisher;
  close(): Promise<void>;
}

// `jobs` is the job registry: one queue is built per queue name it uses.
export async function buildDeps(
  config: Config,
  overrides: { clock?: Clock; logger?: Logger; jobs?: readonly AnyJobDefinition[] } = {},
): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const redis = createRedisConnection(config.redis, "app", logger);
  await connectRedisOrExplain(redis, config.redis);
  const queueRedis = createRedisConnection(config.redis, "queue", logger);
  await connectRedisOrExplain(queueRedis, config.redis);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const queues = createQueues(queueRedis, config.redisPrefix, overrides.jobs ?? platformJobs);
  setOutboxSecretKey(config.secretKey);
  const outboxDir = path.join(config.dataDir, "outbox");
  const mailer = createMailTransport({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir });
  const smsOutboxDir = path.join(config.dataDir, "sms-outbox");
  const changeMarks = publishChangeMarks(database, redis, config.redisPrefix, logger);
  const sms = createSmsTransport({ webhookUrl: config.smsWebhookUrl, outboxDir: smsOutboxDir });
  return {
    config,
    logger,
    database,
    db: database.db,
    redis,
    queues,
    mailer,
    sms,
    clock: overrides.clock ?? systemClock,
    sessionIndex: createSessionIndex(redis, config.redisPrefix),
    geo: createGeoLocator(config.geoipDatabase, logger),
    metrics: createMetrics({
      database: () => database.ping(),
      redis: () => redis.ping(),
      async queueCounts() {
        const names = queues.names();
        const counts = await Promise.all(names.map((name) => queues.get(name).getJobCounts("waiting", "delayed", "active", "failed")));
        return Object.fromEntries(names.map((name, i) => [name, counts[i]!]));
      },
      async outboxPending() {
        const [row] = await database.db.select({ n: count() }).from(outbox);
        return row?.n ?? 0;
      },
      async changeMarksPending() {
        const [row] = await database.db.select({ n: count() }).from(changeMarksTable);
        return row?.n ?? 0;
      },
    }),
    outboxDir,
    smsOutboxDir,
    changeMarks,
    async close() {
      await changeMarks.close();
      await queues.close();
      queueRedis.disconnect();
      redis.disconnect();
      await database.close();
    },
  };
}
