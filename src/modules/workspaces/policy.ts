import { AppError } from "../../platform/errors.js";
import type { WorkspaceRole } from "./tables.js";

// Who may do what in a workspace: decisions only, no I/O (policy.test.ts).
// Services check them; pages only mirror them.
export const workspacePolicy = {
  canManageSettings: (role: WorkspaceRole) => role === "owner" || role === "admin",
};

export function assertAllowed(allowed: boolean, message = "Only the workspace's owner and admins can change its settings."): void {
  if (!allowed) throw new AppError(403, "FORBIDDEN", { message });
}
