import { Redis, type RedisOptions } from "ioredis";

export type RedisPurpose = "app" | "queue" | "worker";

// One factory for every Redis connection (sessions, rate limits, BullMQ).
// The app connection fails fast while Redis is away so requests get a 503
// instead of hanging; BullMQ workers need blocking commands without a retry cap.
export function createRedisConnection(url: string, purpose: RedisPurpose): Redis {
  const failFast: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const options: RedisOptions = {
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...(purpose === "worker" ? { maxRetriesPerRequest: null } : failFast),
    ...(purpose === "queue" ? { enableOfflineQueue: true } : {}),
  };
  const redis = new Redis(url, options);
  // Errors surface on commands; without a listener ioredis would print each one.
  redis.on("error", () => {});
  return redis;
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
