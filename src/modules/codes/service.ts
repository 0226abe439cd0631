import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { enqueueMail, enqueueSms } from "../../platform/queue.js";
import { scanKeys, deleteKeys, tagKey } from "../../platform/redis.js";

// One-time verification codes for every code flow (binding email/phone,
// identity checks, sign-in by email/SMS). SECURITY.md: 6 digits from a
// CSPRNG, 10 minutes, single use, bound to purpose + target + user, at most 5
// wrong tries, one send per 60 s per target and 10 per hour per account,
// stored hashed (an HMAC keyed by SECRET_KEY, so a Redis dump cannot be
// brute-forced offline). Times come from the injected clock.

export const CODE_TTL_MS = 10 * 60_000;
export const RESEND_INTERVAL_MS = 60_000;
export const MAX_SENDS_PER_HOUR = 10;
export const MAX_WRONG_TRIES = 5;

export type CodeChannel = "email" | "sms";

export interface CodeTarget {
  userId: string;
  purpose: string;
  channel: CodeChannel;
  // The address or E.164 number the code was sent to.
  target: string;
}

type CodeDeps = Pick<Deps, "db" | "redis" | "config" | "clock">;

// A user's codes and hourly send count share the hash tag {<userId>}, so one
// Lua script can count and store atomically, also in a Redis Cluster. The
// resend wait is per address or number (whoever asks), a key of its own.
export const codeKeys = (prefix: string) => ({
  code: (t: Pick<CodeTarget, "userId" | "purpose">) => `${prefix}code:${tagKey(t.userId)}:${t.purpose}`,
  allCodes: (userId: string) => `${prefix}code:${tagKey(userId)}:*`,
  resend: (t: Pick<CodeTarget, "channel" | "target">) => `${prefix}code-resend:${t.channel}:${t.target.toLowerCase()}`,
  hourly: (userId: string) => `${prefix}code-sends:${tagKey(userId)}`,
});
const keys = codeKeys;

// Claims the next send to a target: stores when the one after may go, unless
// an earlier claim still runs (returns that time). One key, atomic, so two
// web processes asked at once send one code.
const CLAIM_RESEND = `
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if current > tonumber(ARGV[1]) then return current end
redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
return 0`;

// Counts the send against the account's hour and stores the code, or refuses
// (-1) when 10 sends of the last hour are on record. Both keys carry the
// user's hash tag.
const STORE_CODE = `
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", tonumber(ARGV[1]) - 3600000)
if redis.call("ZCARD", KEYS[2]) >= tonumber(ARGV[2]) then return -1 end
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], "digest", ARGV[3], "target", ARGV[4], "channel", ARGV[5], "expiresAt", ARGV[6], "wrong", 0)
redis.call("PEXPIRE", KEYS[1], ARGV[7])
redis.call("ZADD", KEYS[2], ARGV[1], ARGV[8])
redis.call("PEXPIRE", KEYS[2], 3600000)
return 1`;

function digest(secret: string, target: CodeTarget, code: string): string {
  return createHmac("sha256", secret).update(`${target.purpose}\n${target.channel}\n${target.target.toLowerCase()}\n${code}`).digest("hex");
}

export function resendWaitSeconds(resendAtMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((resendAtMs - nowMs) / 1000));
}

// Returns when the next send to this target is allowed ("Resend in 42 s").
export async function nextSendAllowedAt(deps: CodeDeps, target: Pick<CodeTarget, "channel" | "target">): Promise<number> {
  const stored = await deps.redis.get(keys(deps.config.redisPrefix).resend(target));
  return stored ? Number(stored) : 0;
}

export async function sendCode(deps: CodeDeps, target: CodeTarget, compose: (code: string) => string): Promise<{ resendAtMs: number }> {
  const k = keys(deps.config.redisPrefix);
  const now = deps.clock.now().getTime();
  const hourlyFull = () => new AppError(429, "CODE_HOURLY_LIMIT", { field: "code", message: "codes:errors.hourly" });
  // Cheap refusal first, so a full hour does not also start a resend wait.
  await deps.redis.zremrangebyscore(k.hourly(target.userId), "-inf", now - 3_600_000);
  if ((await deps.redis.zcard(k.hourly(target.userId))) >= MAX_SENDS_PER_HOUR) throw hourlyFull();

  const resendAtMs = now + RESEND_INTERVAL_MS;
  const resendAt = Number(await deps.redis.eval(CLAIM_RESEND, 1, k.resend(target), now, resendAtMs, RESEND_INTERVAL_MS));
  if (resendAt > now) {
    const seconds = resendWaitSeconds(resendAt, now);
    throw new AppError(429, "CODE_RESEND_TOO_SOON", { field: "code", message: "codes:errors.tooSoon", details: { retryAfterSeconds: seconds } });
  }

  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const stored = await deps.redis.eval(
    STORE_CODE,
    2,
    k.code(target),
    k.hourly(target.userId),
    now,
    MAX_SENDS_PER_HOUR,
    digest(deps.config.secretKey, target, code),
    target.target,
    target.channel,
    now + CODE_TTL_MS,
    CODE_TTL_MS,
    `${now}:${randomUUID()}`,
  );
  if (Number(stored) !== 1) throw hourlyFull();

  // The queue retries delivery; the code itself only ever travels in the job
  // payload and the message, never in a log line.
  const text = compose(code);
  if (target.channel === "email") await enqueueMail(deps.db, { to: target.target, subject: text.split("\n")[0]!, text });
  else await enqueueSms(deps.db, { to: target.target, text });
  return { resendAtMs };
}

const expired = () => new AppError(422, "CODE_EXPIRED", { field: "code", message: "codes:errors.expired" });

export async function verifyCode(deps: Pick<Deps, "redis" | "config" | "clock">, target: CodeTarget, submitted: string): Promise<void> {
  const key = keys(deps.config.redisPrefix).code(target);
  const stored = await deps.redis.hgetall(key);
  if (!stored.digest || Number(stored.expiresAt) <= deps.clock.now().getTime()) throw expired();
  if (Number(stored.wrong) >= MAX_WRONG_TRIES) {
    await deps.redis.del(key);
    throw tooManyWrong();
  }
  const expected = Buffer.from(stored.digest, "hex");
  const actual = Buffer.from(digest(deps.config.secretKey, target, submitted.trim()), "hex");
  // A code for another target (or purpose) never matches: both are in the digest.
  if (stored.target !== target.target || !timingSafeEqual(expected, actual)) {
    const wrong = await deps.redis.hincrby(key, "wrong", 1);
    if (wrong >= MAX_WRONG_TRIES) {
      await deps.redis.del(key);
      throw tooManyWrong();
    }
    throw new AppError(422, "CODE_INVALID", { field: "code", message: "codes:errors.invalid", details: { count: MAX_WRONG_TRIES - wrong } });
  }
  // Single use, also under concurrency: only the request whose DEL removed
  // the key succeeds.
  if ((await deps.redis.del(key)) !== 1) throw expired();
}

function tooManyWrong() {
  return new AppError(422, "CODE_TOO_MANY_ATTEMPTS", { field: "code", message: "codes:errors.tooMany" });
}

// Every pending code and the send count of an account (its cancellation).
export async function discardAllCodes(deps: Pick<Deps, "redis" | "config">, userId: string): Promise<void> {
  const k = keys(deps.config.redisPrefix);
  await deleteKeys(deps.redis, [k.hourly(userId), ...(await scanKeys(deps.redis, k.allCodes(userId)))]);
}

export async function discardCode(deps: Pick<Deps, "redis" | "config">, target: Pick<CodeTarget, "userId" | "purpose">): Promise<void> {
  await deps.redis.del(keys(deps.config.redisPrefix).code(target));
}
