import type { RedisClient } from "../../platform/redis.js";
import { consumeOrOverLimit, redisLimiter, tooManyAttempts } from "../../platform/rate-limit.js";

// Registration tells whether a username or email is taken (a form cannot hide
// that and still sign the new user in), so probing it is capped per IP: 20
// attempts an hour.
export const REGISTRATIONS_PER_HOUR = 20;

export function createRegistrationLimit(redis: RedisClient, prefix: string) {
  const limiter = redisLimiter(redis, `${prefix}register:ip`, { points: REGISTRATIONS_PER_HOUR, durationSeconds: 3600 });
  return {
    async consume(ip: string): Promise<void> {
      const overLimit = await consumeOrOverLimit(limiter, ip);
      if (overLimit) throw tooManyAttempts(overLimit, "auth:errors.tooManyRegistrations", "TOO_MANY_REGISTRATIONS");
    },
  };
}
