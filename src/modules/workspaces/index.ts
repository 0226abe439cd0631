// Workspaces: creating, switching, the workspace's home and settings, and
// who belongs where (the per-request principal).
import type { Workspace } from "./tables.js";

export { workspaces, memberships, workspaceRoles, type Workspace, type WorkspaceRole } from "./tables.js";
export { findMember, insertWorkspaceWithOwner, listMembers, listMembershipsOfUser, type WorkspaceMembership } from "./repo.js";
export { slugify, slugSchema, workspaceNameSchema } from "./schema.js";
export { createWorkspace, membershipBySlug } from "./service.js";
export { presentMembership } from "./presenter.js";
export { workspacePrincipals } from "./principal.js";
export { workspaceRoutes, workspaceHomeRoutes } from "./routes.js";
export { workspaceSettingsRoutes } from "./settings-routes.js";

// The web layer sees scoped workspaces as this row type.
declare module "../../web/context.js" {
  interface AccountTypes {
    workspace: Workspace;
  }
}
