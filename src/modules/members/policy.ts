import type { WorkspaceRole } from "../workspaces/index.js";

export interface MemberRef {
  id: string;
  role: WorkspaceRole;
}

// Who may do what to another member: decisions only, no I/O (policy.test.ts).
export const memberPolicy = {
  // Owners and admins reset a member's 2FA, never their own (that is what
  // their security settings are for). Only the owner resets an admin's; the
  // owner's own is reset only by an instance administrator.
  canResetTwoFactor: (actor: MemberRef, target: MemberRef): boolean =>
    (actor.role === "owner" || actor.role === "admin") && actor.id !== target.id && target.role !== "owner" && !(actor.role === "admin" && target.role === "admin"),
};
