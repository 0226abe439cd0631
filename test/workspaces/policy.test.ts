import { describe, expect, it } from "vitest";
import { workspacePolicy } from "../../src/modules/workspaces/policy.js";

describe("workspacePolicy.canManageSettings", () => {
  it.each([
    ["owner", true],
    ["admin", true],
    ["member", false],
  ] as const)("%s: %s", (role, allowed) => {
    expect(workspacePolicy.canManageSettings(role)).toBe(allowed);
  });
});
