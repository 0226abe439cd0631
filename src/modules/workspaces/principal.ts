import type { Db } from "../../platform/db.js";
import type { PrincipalSource } from "../../web/current-user.js";
import { avatarUrl, initialsOf } from "../profile/index.js";
import { presentMembership } from "./presenter.js";
import { loadUserWithMemberships } from "./repo.js";

// Who is signed in and where they belong, for the web layer's per-request
// load (web/current-user.ts): one prepared query, then the header's viewer
// and the workspace switcher.
export function workspacePrincipals(db: Db): PrincipalSource {
  return {
    load: (userId) => loadUserWithMemberships(db, userId),
    present(current, avatarEtag, activeWorkspaceId) {
      const { user } = current;
      return {
        viewer: {
          id: user.id,
          username: user.username,
          email: user.email,
          initials: initialsOf(user.username),
          avatarUrl: avatarEtag ? avatarUrl(user.id, avatarEtag) : null,
          isInstanceAdmin: user.isInstanceAdmin,
        },
        activeWorkspace: current.activeMembership ? presentMembership(current.activeMembership, activeWorkspaceId) : null,
        workspaceSwitcher: current.memberships.map((membership) => presentMembership(membership, activeWorkspaceId)),
      };
    },
  };
}
