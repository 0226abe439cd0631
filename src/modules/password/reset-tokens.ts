import { createHash, randomBytes } from "node:crypto";
import type { RedisClient } from "../../platform/redis.js";
import { consumeOrOverLimit, redisLimiter, tooManyAttempts } from "../../platform/rate-limit.js";

// Reset links (SECURITY.md): 256 random bits from the CSPRNG, base64url in the
// link's path, stored only as SHA-256 hex, valid 60 minutes, single use.
export const RESET_TOKEN_BYTES = 32;
export const RESET_TOKEN_TTL_MS = 60 * 60_000;
// 32 bytes in base64url without padding are exactly 43 characters.
export const RESET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newResetToken(): { token: string; tokenHash: string } {
  const token = randomBytes(RESET_TOKEN_BYTES).toString("base64url");
  return { token, tokenHash: hashResetToken(token) };
}

// A plain hash is enough: the token has 256 bits of entropy, so there is
// nothing to brute-force that a slow hash would protect.
export function hashResetToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function isWellFormedResetToken(token: string): boolean {
  return RESET_TOKEN_PATTERN.test(token);
}

// Limits on sending reset links and on probing reset links, in Redis:
// - per account (or per unknown identifier): one link per 60 s, 10 per hour.
//   Over the limit nothing is sent, but the answer stays the same, so the
//   limit does not reveal whether the account exists;
// - per IP: 20 requests per 15 minutes, answered with 429 (that answer is the
//   same for known and unknown accounts);
// - per IP: 30 unknown, expired or used links per 15 minutes.
export interface ResetThrottle {
  // true when a link may be sent to this target now.
  takeSendSlot(targetKey: string): Promise<boolean>;
  assertRequestAllowed(ip: string): Promise<void>;
  assertLinkCheckAllowed(ip: string): Promise<void>;
  recordBadLink(ip: string): Promise<void>;
}

export function createResetThrottle(redis: RedisClient, prefix: string): ResetThrottle {
  const limiter = (name: string, points: number, durationSeconds: number) =>
    redisLimiter(redis, `${prefix}password-reset:${name}`, { points, durationSeconds });
  const perTargetMinute = limiter("target-minute", 1, 60);
  const perTargetHour = limiter("target-hour", 10, 60 * 60);
  const perIp = limiter("ip", 20, 15 * 60);
  const badLinksPerIp = limiter("bad-link-ip", 30, 15 * 60);

  return {
    async takeSendSlot(targetKey) {
      // The minute limit is checked first so a burst does not eat the hourly budget.
      const minute = await perTargetMinute.get(targetKey);
      if (minute && minute.consumedPoints >= 1) return false;
      if (await consumeOrOverLimit(perTargetHour, targetKey)) return false;
      return !(await consumeOrOverLimit(perTargetMinute, targetKey));
    },

    async assertRequestAllowed(ip) {
      const overLimit = await consumeOrOverLimit(perIp, ip);
      if (overLimit) throw tooManyAttempts(overLimit, "password:errors.tooManyRequests");
    },

    async assertLinkCheckAllowed(ip) {
      const state = await badLinksPerIp.get(ip);
      if (state && state.consumedPoints >= 30) throw tooManyAttempts(state, "password:errors.tooManyBadLinks");
    },

    async recordBadLink(ip) {
      await badLinksPerIp.penalty(ip, 1);
    },
  };
}
