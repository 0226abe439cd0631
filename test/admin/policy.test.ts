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

describe("adminPolicy: the last administrator and workspace owners", () => {
  const adminAccount = (changes: Partial<{ id: string; status: "active" | "locked" | "cancelled"; isInstanceAdmin: boolean }> = {}) => ({
    id: "other-admin",
    username: "other",
    status: "active" as const,
    isInstanceAdmin: true,
    ...changes,
  });

  it("never disables, deletes or demotes the last active administrator", () => {
    expect(adminPolicy.canDisable(actor, adminAccount(), 1)).toMatchObject({ code: "LAST_ADMIN" });
    expect(adminPolicy.canDelete(actor, adminAccount(), { activeAdmins: 1, ownedWorkspaces: [] })).toMatchObject({ code: "LAST_ADMIN" });
    expect(adminPolicy.canRevokeAdmin(adminAccount(), 1)).toMatchObject({ code: "LAST_ADMIN" });
    expect(adminPolicy.canDisable(actor, adminAccount(), 2)).toEqual({ allowed: true });
    expect(adminPolicy.canRevokeAdmin(adminAccount(), 2)).toEqual({ allowed: true });
    // A disabled administrator is not the one keeping the instance reachable.
    expect(adminPolicy.canRevokeAdmin(adminAccount({ status: "locked" }), 1)).toEqual({ allowed: true });
  });

  it("refuses deleting a workspace owner, and one's own account", () => {
    const plain = adminAccount({ isInstanceAdmin: false });
    expect(adminPolicy.canDelete(actor, plain, { activeAdmins: 1, ownedWorkspaces: ["Acme"] })).toMatchObject({ code: "WORKSPACE_OWNER" });
    expect(adminPolicy.canDelete(actor, plain, { activeAdmins: 1, ownedWorkspaces: [] })).toEqual({ allowed: true });
    expect(adminPolicy.canDelete(actor, adminAccount({ id: "admin" }), { activeAdmins: 2, ownedWorkspaces: [] })).toMatchObject({ code: "OWN_ACCOUNT" });
    expect(adminPolicy.canDisable({ id: null }, plain, 1)).toEqual({ allowed: true });
  });

  it("never turns 2FA on for someone", () => {
    expect(adminPolicy.canTurnOnTwoFactorOf({ username: "x" })).toMatchObject({ code: "USER_MUST_ENABLE" });
  });
});
