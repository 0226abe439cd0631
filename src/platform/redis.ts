import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger.js";

export type RedisPurpose = "app" | "queue" | "worker";

// One factory for every Redis connection (sessions, rate limits, BullMQ).
// The app connection fails fast while Redis is away so requests get a 503
// instead of hanging; BullMQ workers need blocking commands without a retry cap.
// Each connection names itself (CLIENT SETNAME latchkey-<purpose>), so
// `CLIENT LIST` and the fault-test proxy can tell them apart.
export function createRedisConnection(url: string, purpose: RedisPurpose, logger?: Logger): Redis {
  const failFast: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: `latchkey-${purpose}`,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...(purpose === "worker" ? { maxRetriesPerRequest: null } : failFast),
    ...(purpose === "queue" ? { enableOfflineQueue: true } : {}),
  };
  const redis = new Redis(url, options);
  // Errors surface on commands; the listener keeps ioredis from printing each
  // one, and the outage itself is logged once per transition.
  const outage = logger ? redisOutageLog(logger) : undefined;
  redis.on("error", (error: Error) => outage?.down(purpose, error));
  redis.on("ready", () => outage?.up(purpose));
  return redis;
}

// One line when Redis becomes unreachable ("redis unavailable") and one when
// every connection that lost it is back ("redis back after 1.3 s"), however
// many connections, reconnect attempts and requests happen in between.
// Shared by the connections logging to the same logger (one per process).
export interface RedisOutageLog {
  down(connection: string, error: Error): void;
  up(connection: string): void;
}

const outageLogs = new WeakMap<Logger, RedisOutageLog>();

export function redisOutageLog(logger: Logger): RedisOutageLog {
  let log = outageLogs.get(logger);
  if (!log) {
    log = createOutageLog(logger, "redis");
    outageLogs.set(logger, log);
  }
  return log;
}

export function createOutageLog(logger: Logger, dependency: string): RedisOutageLog {
  const lost = new Set<string>();
  let since = 0;
  return {
    down(connection, error) {
      if (lost.has(connection)) return;
      if (lost.size === 0) {
        since = Date.now();
        logger.warn({ dependency, connection, err: error.message }, `${dependency} unavailable`);
      }
      lost.add(connection);
    },
    up(connection) {
      if (!lost.delete(connection) || lost.size > 0) return;
      const seconds = Math.round((Date.now() - since) / 100) / 10;
      logger.info({ dependency, downSeconds: seconds }, `${dependency} back after ${seconds} s`);
    },
  };
}

export async function connectRedisOrExplain(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const where = url.replace(/\/\/[^@]*@/, "//***@");
    throw new Error(
      `Cannot reach Redis at ${where} (${(error as Error).message}).\n` +
        `Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379\n` +
        `or point REDIS_URL at a running server.`,
    );
  }
}
