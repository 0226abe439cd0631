import { AppError } from "../../platform/errors.js";
import type { WorkspaceRole } from "./tables.js";

// Who may do what in a workspace. Checked in services and routes, never only
// by hiding a link.
export const workspacePolicy = {
  canManageSettings: (role: WorkspaceRole) => role === "owner" || role === "admin",
  // Owners and admins reset a member's 2FA, never their own (that is what
  // their security settings are for). Only the owner resets an admin's; the
  // owner's own is reset only by an instance administrator.
  canResetTwoFactor: (actor: { id: string; role: WorkspaceRole }, target: { id: string; role: WorkspaceRole }) =>
    (actor.role === "owner" || actor.role === "admin") && actor.id !== target.id && target.role !== "owner" && !(actor.role === "admin" && target.role === "admin"),
};

export function assertCan(allowed: boolean): void {
  if (!allowed) throw new AppError(403, "FORBIDDEN", { message: "Only the workspace's owner and admins can change its settings." });
}
