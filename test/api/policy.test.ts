import { describe, expect, it } from "vitest";
import { apiPolicy } from "../../src/modules/api/policy.js";

describe("api policy", () => {
  it.each([
    ["owner", true],
    ["admin", true],
    ["member", false],
  ] as const)("a workspace %s may list members: %s", (role, allowed) => {
    expect(apiPolicy.canListMembers(role)).toBe(allowed);
  });
});
