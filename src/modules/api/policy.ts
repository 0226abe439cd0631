import type { WorkspaceRole } from "../workspaces/index.js";

// Decisions only (test/api/policy.test.ts).
export const apiPolicy = {
  // The member list (with who has 2FA) is for those who run the workspace.
  canListMembers: (role: WorkspaceRole): boolean => role === "owner" || role === "admin",
};
