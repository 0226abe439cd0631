import { describe, expect, it } from "vitest";
import { adminPolicy } from "../../src/modules/admin/policy.js";

const actor = { id: "admin" };
const account = (changes: Partial<{ id: string; status: "active" | "locked" | "cancelled"; passwordHash: string | null; username: string }> = {}) => ({
  id: "someone",
  status: "active" as const,
  passwordHash: "$argon2id$…",
  username: "someone",
  ...changes,
});

describe("adminPolicy", () => {
  it("sets another local account's password", () => {
    expect(adminPolicy.canSetPasswordOf(actor, account())).toEqual({ allowed: true });
  });

  it.each([
    ["their own (it needs the current password)", account({ id: "admin" }), "OWN_PASSWORD"],
    ["a cancelled account's", account({ status: "cancelled" }), "ACCOUNT_CANCELLED"],
    ["an SSO account's (no local password)", account({ passwordHash: null }), "NO_LOCAL_PASSWORD"],
  ])("never sets %s password", (_case, subject, code) => {
    expect(adminPolicy.canSetPasswordOf(actor, subject)).toMatchObject({ allowed: false, code });
  });

  it("resets another account's 2FA, not their own, and only when it is on", () => {
    expect(adminPolicy.canResetTwoFactorOf(actor, account(), true)).toEqual({ allowed: true });
    expect(adminPolicy.canResetTwoFactorOf(actor, account({ id: "admin" }), true)).toMatchObject({ allowed: false, code: "OWN_ACCOUNT" });
    expect(adminPolicy.canResetTwoFactorOf(actor, account(), false)).toMatchObject({ allowed: false, code: "TWO_FACTOR_NOT_ENABLED" });
  });
});
