import { describe, expect, it } from "vitest";
import { memberPolicy } from "../../src/modules/members/index.js";

// Every role against every role, and oneself: who may reset a member's 2FA.
describe("memberPolicy.canResetTwoFactor", () => {
  const cases = [
    ["owner", "admin", true],
    ["owner", "member", true],
    ["admin", "member", true],
    ["admin", "admin", false],
    ["admin", "owner", false],
    ["member", "member", false],
    ["member", "admin", false],
    ["member", "owner", false],
  ] as const;

  it.each(cases)("%s resetting a %s: %s", (actorRole, targetRole, allowed) => {
    expect(memberPolicy.canResetTwoFactor({ id: "actor", role: actorRole }, { id: "target", role: targetRole })).toBe(allowed);
  });

  it.each(["owner", "admin", "member"] as const)("never one's own (%s)", (role) => {
    expect(memberPolicy.canResetTwoFactor({ id: "same", role }, { id: "same", role })).toBe(false);
  });
});

const ref = (id: string, role: "owner" | "admin" | "member") => ({ id, role });

describe("memberPolicy.canInvite", () => {
  it.each([
    ["owner", "admin", true],
    ["owner", "member", true],
    ["admin", "member", true],
    ["admin", "admin", false],
    ["member", "member", false],
    ["member", "admin", false],
  ] as const)("%s inviting a future %s: %s", (actor, role, allowed) => {
    expect(memberPolicy.canInvite({ role: actor }, role).allowed).toBe(allowed);
  });
  it("says why an admin cannot invite an admin", () => {
    expect(memberPolicy.canInvite({ role: "admin" }, "admin")).toMatchObject({ code: "ONLY_OWNER_GRANTS_ADMIN" });
  });
});

describe("memberPolicy.canChangeRole", () => {
  it("only the owner changes roles, of anyone but the owner", () => {
    expect(memberPolicy.canChangeRole(ref("o", "owner"), ref("m", "member"), "admin").allowed).toBe(true);
    expect(memberPolicy.canChangeRole(ref("o", "owner"), ref("a", "admin"), "member").allowed).toBe(true);
    expect(memberPolicy.canChangeRole(ref("a", "admin"), ref("m", "member"), "admin")).toMatchObject({ code: "ONLY_OWNER_GRANTS_ADMIN" });
    expect(memberPolicy.canChangeRole(ref("a", "admin"), ref("b", "admin"), "member")).toMatchObject({ code: "FORBIDDEN" });
    expect(memberPolicy.canChangeRole(ref("m", "member"), ref("n", "member"), "admin").allowed).toBe(false);
    expect(memberPolicy.canChangeRole(ref("a", "admin"), ref("o", "owner"), "member")).toMatchObject({ code: "OWNER_ROLE" });
    expect(memberPolicy.canChangeRole(ref("o", "owner"), ref("o", "owner"), "admin")).toMatchObject({ code: "OWN_ROLE" });
  });
});

describe("memberPolicy.canRemove", () => {
  it.each([
    ["owner", "admin", true],
    ["owner", "member", true],
    ["admin", "member", true],
    ["admin", "admin", false],
    ["admin", "owner", false],
    ["member", "member", false],
    ["member", "owner", false],
  ] as const)("%s removing a %s: %s", (actor, target, allowed) => {
    expect(memberPolicy.canRemove(ref("actor", actor), ref("target", target)).allowed).toBe(allowed);
  });
  it("never the owner (the workspace keeps one), never oneself", () => {
    expect(memberPolicy.canRemove(ref("o", "owner"), ref("o", "owner"))).toMatchObject({ code: "LAST_OWNER" });
    expect(memberPolicy.canRemove(ref("a", "admin"), ref("a", "admin"))).toMatchObject({ code: "OWN_MEMBERSHIP" });
  });
});

describe("memberPolicy.canTransferOwnership", () => {
  it("the owner, to someone else", () => {
    expect(memberPolicy.canTransferOwnership(ref("o", "owner"), ref("m", "member")).allowed).toBe(true);
    expect(memberPolicy.canTransferOwnership(ref("o", "owner"), ref("o", "owner"))).toMatchObject({ code: "OWN_MEMBERSHIP" });
    expect(memberPolicy.canTransferOwnership(ref("a", "admin"), ref("m", "member"))).toMatchObject({ code: "FORBIDDEN" });
  });
});
