import type { RedisClient } from "./redis.js";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "./errors.js";

// Every rate limit lives in Redis under the instance's prefix, so limits hold
// across web processes and a restart.
export function redisLimiter(redis: RedisClient, keyPrefix: string, limits: { points: number; durationSeconds: number; blockSeconds?: number }) {
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points: limits.points, duration: limits.durationSeconds, blockDuration: limits.blockSeconds ?? 0 });
}

// Spends one point. Returns the limiter's state when the limit was already
// reached, or null when the attempt may go ahead; Redis errors propagate (503).
export async function consumeOrOverLimit(limiter: RateLimiterRedis, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (result) {
    if (result instanceof RateLimiterRes) return result;
    throw result;
  }
}

export function tooManyAttempts(state: Pick<RateLimiterRes, "msBeforeNext">, message: string, code = "TOO_MANY_ATTEMPTS"): AppError {
  return new AppError(429, code, { message, details: { retryAfterSeconds: Math.ceil(state.msBeforeNext / 1000) } });
}
