import { describe, expect, it } from "vitest";
import { ARGON2_CONCURRENCY, hashPassword, verifyPassword } from "../../src/platform/crypto/passwords.js";

// Argon2 is queued in-process (at most ARGON2_CONCURRENCY hashes on the
// threadpool at once): a burst of verifications all complete, each with the
// right answer, whatever order the slots free up in.
describe("password hashing under a burst", () => {
  it("verifies 3x the slot count at once, right and wrong passwords alike", async () => {
    expect(ARGON2_CONCURRENCY).toBeGreaterThanOrEqual(1);
    const hash = await hashPassword("Correct-Horse-42");
    const attempts = Array.from({ length: ARGON2_CONCURRENCY * 3 + 1 }, (_, i) => (i % 2 === 0 ? "Correct-Horse-42" : `wrong-${i}`));
    const results = await Promise.all(attempts.map((password) => verifyPassword(hash, password)));
    expect(results).toEqual(attempts.map((password) => password === "Correct-Horse-42"));
    // A malformed hash is a failed verification, and frees its slot.
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
    expect(await verifyPassword(hash, "Correct-Horse-42")).toBe(true);
  });
});
