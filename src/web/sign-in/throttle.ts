import { deleteKeys, getMany, type RedisClient } from "../../platform/redis.js";
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

export const SIGN_IN_FAILURES_PER_IP = 100;

// A limiter key's value is its consumed points (rate-limiter-flexible stores
// an integer); a missing key has consumed none.
function consumed(value: string | null | undefined): number {
  return value ? Number.parseInt(value, 10) || 0 : 0;
}
export const SIGN_IN_PAUSED = "SIGN_IN_PAUSED";

export function createLoginThrottle(redis: RedisClient, prefix: string): LoginThrottle {
  const limiter = (name: string, points: number, blockSeconds = 0) =>
    redisLimiter(redis, `${prefix}login:${name}`, { points, durationSeconds: WINDOW_SECONDS, blockSeconds });
  const perIp = limiter("ip", SIGN_IN_FAILURES_PER_IP);
  const perAccount = limiter("account", 9, WINDOW_SECONDS);
  const perAccountIp = limiter("account-ip", 10_000);
  const delay = limiter("delay", 1);

  return {
    // Every sign-in asks this, so the three counters are read in one round
    // trip (an MGET of the limiters' own keys); the time left (PTTL) is asked
    // only for a counter over its limit, to word the refusal. A counter that
    // expired in between no longer refuses, as if it had been read a moment later.
    async assertAllowed(accountKey, ip) {
      const pairKey = `${accountKey}|${ip}`;
      const [ipCount, accountCount, delayCount] = await getMany(redis, [perIp.getKey(ip), perAccount.getKey(accountKey), delay.getKey(pairKey)]);
      if (consumed(ipCount) >= SIGN_IN_FAILURES_PER_IP) {
        const ipState = await perIp.get(ip);
        if (ipState && ipState.consumedPoints >= SIGN_IN_FAILURES_PER_IP) {
          throw tooManyAttempts(ipState, "Too many sign-in attempts from your network. Try again later.");
        }
      }
      if (consumed(accountCount) > 9) {
        const accountState = await perAccount.get(accountKey);
        if (accountState && accountState.consumedPoints > 9) {
          // Its own code: the sign-in records an attempt on a paused account.
          throw tooManyAttempts(accountState, "Too many failed attempts. Sign-in is paused for 15 minutes.", SIGN_IN_PAUSED);
        }
      }
      if (consumed(delayCount) > 1) {
        const delayState = await delay.get(pairKey);
        if (delayState && delayState.consumedPoints > 1) {
          const seconds = Math.ceil(delayState.msBeforeNext / 1000);
          throw tooManyAttempts(delayState, `Too many failed attempts. Wait ${seconds} s and try again.`);
        }
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
      // One DEL for both (one per key in a Redis Cluster).
      await deleteKeys(redis, [perAccountIp.getKey(pairKey), delay.getKey(pairKey)]);
    },
  };
}

// Second-factor guesses (SECURITY.md), counted per account and per IP across
// sign-in attempts, in Redis. A challenge ends after 5 wrong answers, but a
// new password sign-in opens a new one, so the real cap is here: 10 wrong
// answers for an account in 15 minutes lock its second step for 15 minutes,
// whatever the password step does (a correct password never resets this).
// The same count per IP stops one client that holds several passwords from
// guessing codes for each account in turn (SECURITY.md's numbers).
export const SECOND_FACTOR_FAILURES = 10;

export interface SecondFactorThrottle {
  assertAllowed(userId: string, ip: string): Promise<void>;
  // accountJustLocked: this failure was the one that locked the account.
  recordFailure(userId: string, ip: string): Promise<{ accountJustLocked: boolean }>;
}

export function createSecondFactorThrottle(redis: RedisClient, prefix: string): SecondFactorThrottle {
  const perAccount = redisLimiter(redis, `${prefix}second-factor:account`, { points: SECOND_FACTOR_FAILURES - 1, durationSeconds: WINDOW_SECONDS, blockSeconds: WINDOW_SECONDS });
  const perIp = redisLimiter(redis, `${prefix}second-factor:ip`, { points: SECOND_FACTOR_FAILURES - 1, durationSeconds: WINDOW_SECONDS, blockSeconds: WINDOW_SECONDS });
  const locked = "Too many wrong codes. Two-step verification is paused for 15 minutes.";
  return {
    async assertAllowed(userId, ip) {
      const [accountState, ipState] = await Promise.all([perAccount.get(userId), perIp.get(ip)]);
      if (accountState && accountState.consumedPoints >= SECOND_FACTOR_FAILURES) throw tooManyAttempts(accountState, locked, "SECOND_FACTOR_LOCKED");
      if (ipState && ipState.consumedPoints >= SECOND_FACTOR_FAILURES) throw tooManyAttempts(ipState, locked, "SECOND_FACTOR_LOCKED");
    },
    async recordFailure(userId, ip) {
      await consumeOrOverLimit(perIp, ip);
      const overLimit = await consumeOrOverLimit(perAccount, userId);
      return { accountJustLocked: overLimit?.consumedPoints === SECOND_FACTOR_FAILURES };
    },
  };
}
