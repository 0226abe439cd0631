import type { WorkspaceRequirement } from "../../web/workspace-scope.js";
import { ssoPolicy } from "./policy.js";

// What a member who has not come through the workspace's SSO may still
// reach: the SSO sign-in itself, switching workspace and signing out.
const REACHABLE = new Set(["/logout", "/workspaces/switch", "/workspaces", "/login/sso"]);

// "SSO required": a member of that workspace uses it only from a session
// whose first factor was this workspace's own SSO (viaWorkspaceId), whichever
// workspace the session is signed into. The owner is exempt (break-glass:
// a broken or lost identity provider must not lock the workspace out of its
// own settings; the owner signs in with their own credentials and 2FA).
export const ssoRequirement: WorkspaceRequirement = {
  id: "sso",
  unmetBy(current, workspace, session) {
    if (!workspace.requireSso || session.viaWorkspaceId === workspace.id) return null;
    const membership = current.memberships.find((candidate) => candidate.workspace.id === workspace.id);
    if (membership && ssoPolicy.exemptFromRequirement(membership.role)) return null;
    return { redirect: `/sso/${encodeURIComponent(workspace.slug)}`, message: "sso:required" };
  },
  allows: (path) => REACHABLE.has(path) || path.startsWith("/sso/"),
};
