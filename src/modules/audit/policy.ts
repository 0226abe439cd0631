import type { Membership } from "../../web/context.js";

// Who may browse what; decisions only.
export const auditPolicy = {
  canViewWorkspaceActivity: (role: Membership["role"]): boolean => role === "owner" || role === "admin",
};
