import os from "node:os";
import argon2 from "argon2";

// OWASP minimum for argon2id: m=19456 KiB, t=2, p=1. Verification reads the
// parameters from the stored hash, so raising these later still verifies old
// hashes; needsRehash tells the login to upgrade them.
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Argon2 runs on libuv's threadpool (never on the event loop), one thread per
// hash (parallelism 1). At most one hash per core runs at once, and never so
// many that the pool has fewer than two threads left for everything else
// that uses it (fs, dns.lookup, async crypto such as session ids, sharp):
// 32 sign-ins at once queue here, not in the pool, so they neither starve
// those nor thrash the cores. scripts/start.cjs sizes the pool to cores + 2
// (UV_THREADPOOL_SIZE), which makes this one hash per core.
const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const ARGON2_CONCURRENCY = Math.max(1, Math.min(os.availableParallelism(), POOL_SIZE - 2));

let running = 0;
const waiting: Array<() => void> = [];

async function withArgon2Slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= ARGON2_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter (running stays the same).
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return withArgon2Slot(() => argon2.hash(password, ARGON2_OPTIONS));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await withArgon2Slot(() => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

export function passwordNeedsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

// Unknown accounts verify against this so a login for a missing user costs
// the same time as one for a real user (no enumeration by timing).
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword("latchkey-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
}
