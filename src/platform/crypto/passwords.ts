import argon2 from "argon2";

// OWASP minimum for argon2id: m=19456 KiB, t=2, p=1. Verification reads the
// parameters from the stored hash, so raising these later still verifies old
// hashes; needsRehash tells the login to upgrade them.
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
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
