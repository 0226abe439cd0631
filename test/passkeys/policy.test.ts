import { describe, expect, it } from "vitest";
import { passkeyPolicy } from "../../src/modules/passkeys/policy.js";

describe("passkeyPolicy", () => {
  it.each([
    [{ hasPassword: true, passkeyCount: 1 }, true],
    [{ hasPassword: false, passkeyCount: 2 }, true],
    [{ hasPassword: false, passkeyCount: 1 }, false],
  ])("deleting a passkey of %o: %s", (account, allowed) => {
    expect(passkeyPolicy.canDelete(account)).toBe(allowed);
  });

  it.each([
    [0, 0, true],
    [0, 1, true],
    [5, 6, true],
    [5, 5, false],
    [5, 3, false],
    [5, 0, false],
  ])("stored counter %i, presented %i: %s", (stored, presented, acceptable) => {
    expect(passkeyPolicy.counterAcceptable(stored, presented)).toBe(acceptable);
  });
});
