import { AppError } from "../../platform/errors.js";
import type { WorkspaceRole } from "./tables.js";

// Who may do what in a workspace. Checked in services and routes, never only
// by hiding a link.
export const workspacePolicy = {
  canManageSettings: (role: WorkspaceRole) => role === "owner" || role === "admin",
};

export function assertCan(allowed: boolean): void {
  if (!allowed) throw new AppError(403, "FORBIDDEN", { message: "Only the workspace's owner and admins can change its settings." });
}
