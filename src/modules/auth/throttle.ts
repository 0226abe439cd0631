import type { Redis } from "ioredis";
import { consumeOrOverLimit, redisLimiter, tooManyAttempts } from "../../platform/rate-limit.js";

// Failed sign-in limits (SECURITY.md, ASVS 6.3.1 / 2.4.1), all in Redis:
// - per account+IP: after 5 failures each further attempt waits 1, 2, 4 ... 60 s;
// - per account: 10 failures in 15 minutes lock it for 15 minutes (never for good);
// - per IP: a ceiling of 100 failures in 15 minutes across all accounts.
// The IP is Express's req.ip, which only believes X-Forwarded-For when
// TRUST_PROXY says so, so a forged header cannot reset these counters.
const WINDOW_SECONDS = 15 * 60;
const FREE_FAILURES = 5;
const MAX_DELAY_SECONDS = 60;

export interface LoginThrottle {
  assertAllowed(accountKey: string, ip: string): Promise<void>;
  recordFailure(accountKey: string, ip: string): Promise<{ accountJustLocked: boolean }>;
  recordSuccess(accountKey: string, ip: string): Promise<void>;
}

export function createLoginThrottle(redis: Redis, prefix: string): LoginThrottle {
  const limiter = (name: string, points: number, blockSeconds = 0) =>
    redisLimiter(redis, `${prefix}login:${name}`, { points, durationSeconds: WINDOW_SECONDS, blockSeconds });
  const perIp = limiter("ip", 100);
  const perAccount = limiter("account", 9, WINDOW_SECONDS);
  const perAccountIp = limiter("account-ip", 10_000);
  const delay = limiter("delay", 1);

  return {
    async assertAllowed(accountKey, ip) {
      const pairKey = `${accountKey}|${ip}`;
      const [ipState, accountState, delayState] = await Promise.all([perIp.get(ip), perAccount.get(accountKey), delay.get(pairKey)]);
      if (ipState && ipState.consumedPoints >= 100) {
        throw tooManyAttempts(ipState, "Too many sign-in attempts from your network. Try again later.");
      }
      if (accountState && accountState.consumedPoints > 9) {
        throw tooManyAttempts(accountState, "Too many failed attempts. Sign-in is paused for 15 minutes.");
      }
      if (delayState && delayState.consumedPoints > 1) {
        const seconds = Math.ceil(delayState.msBeforeNext / 1000);
        throw tooManyAttempts(delayState, `Too many failed attempts. Wait ${seconds} s and try again.`);
      }
    },

    async recordFailure(accountKey, ip) {
      const pairKey = `${accountKey}|${ip}`;
      await perIp.penalty(ip, 1);
      const pair = await perAccountIp.penalty(pairKey, 1);
      if (pair.consumedPoints >= FREE_FAILURES) {
        const seconds = Math.min(2 ** (pair.consumedPoints - FREE_FAILURES), MAX_DELAY_SECONDS);
        await delay.block(pairKey, seconds);
      }
      const overLimit = await consumeOrOverLimit(perAccount, accountKey);
      return { accountJustLocked: overLimit?.consumedPoints === 10 };
    },

    async recordSuccess(accountKey, ip) {
      const pairKey = `${accountKey}|${ip}`;
      await Promise.all([perAccountIp.delete(pairKey), delay.delete(pairKey)]);
    },
  };
}

// Registration tells whether a username or email is taken (a form cannot hide
// that and still sign the new user in), so probing it is capped per IP: 20
// attempts an hour.
export const REGISTRATIONS_PER_HOUR = 20;

export function createRegistrationLimit(redis: Redis, prefix: string) {
  const limiter = redisLimiter(redis, `${prefix}register:ip`, { points: REGISTRATIONS_PER_HOUR, durationSeconds: 3600 });
  return {
    async consume(ip: string): Promise<void> {
      const overLimit = await consumeOrOverLimit(limiter, ip);
      if (overLimit) throw tooManyAttempts(overLimit, "Too many sign-up attempts from your network. Try again in an hour.", "TOO_MANY_REGISTRATIONS");
    },
  };
}
