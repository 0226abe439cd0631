import type { Response } from "express";
import type { RedisClient } from "../../platform/redis.js";
import { RateLimiterRes } from "rate-limiter-flexible";
import { redisLimiter } from "../../platform/rate-limit.js";
import { AppError } from "../../platform/errors.js";

// Per address (every request, before the token is even looked at, so
// guessing and refused uses are capped too) and per token. Both in Redis,
// so the limits hold across web processes.
export const API_LIMITS = {
  perIp: { points: 300, durationSeconds: 60 },
  perToken: { points: 120, durationSeconds: 60 },
};

export type ApiLimiter = (res: Response, key: string) => Promise<void>;

// Spends one point and sets the RateLimit-* headers (IETF draft
// "RateLimit header fields for HTTP"); over the limit it answers 429 with
// Retry-After. The last limiter to run sets the headers a client sees.
export function createApiLimiter(redis: RedisClient, prefix: string, name: string, limits: { points: number; durationSeconds: number }): ApiLimiter {
  const limiter = redisLimiter(redis, `${prefix}api-rl:${name}`, limits);
  return async (res, key) => {
    let state: RateLimiterRes;
    let over = false;
    try {
      state = await limiter.consume(key);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      state = result;
      over = true;
    }
    const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    res.setHeader("RateLimit-Limit", String(limits.points));
    res.setHeader("RateLimit-Remaining", String(Math.max(0, state.remainingPoints)));
    res.setHeader("RateLimit-Reset", String(resetSeconds));
    res.setHeader("RateLimit-Policy", `${limits.points};w=${limits.durationSeconds}`);
    if (over) {
      res.setHeader("Retry-After", String(resetSeconds));
      throw new AppError(429, "RATE_LIMITED", { message: `Too many requests. Try again in ${resetSeconds} seconds.` });
    }
  };
}
