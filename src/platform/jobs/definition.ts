import type { RedisClient } from "../redis.js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { z } from "zod";
import type { Config } from "../../config.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { MailTransport } from "../mail.js";
import type { SmsTransport } from "../sms.js";

// Any Drizzle PostgreSQL database or transaction, whatever its schema: the
// platform must not depend on the feature tables that make up the app's `Db`.
export type SqlDb = PgDatabase<PgQueryResultHKT, any>;

// What a job may use. The app's Deps is a superset, so it can be passed as is.
export interface JobDeps {
  config: Config;
  logger: Logger;
  db: SqlDb;
  redis: RedisClient;
  mailer: MailTransport;
  sms: SmsTransport;
  clock: Clock;
}

// A background task: its payload schema, the queue it runs on and what it
// does. `jobId` is stable across retries and re-deliveries, so an effect keyed
// by it happens once.
export interface JobDefinition<P> {
  name: string;
  queue: string;
  schema: z.ZodType<P>;
  // Set for a job that runs on a schedule (a cron pattern, UTC) with an empty
  // payload: the worker registers it with BullMQ at start.
  repeat?: { pattern: string };
  perform(deps: JobDeps, payload: P, context: { jobId: string }): Promise<void>;
}

export type AnyJobDefinition = JobDefinition<any>;
