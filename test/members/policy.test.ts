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
