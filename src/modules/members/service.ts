import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import type { WorkspaceScope } from "../../web/workspace-scope.js";
import { isTwoFactorEnabled, resetTwoFactor } from "../two-factor/index.js";
import type { User } from "../users/index.js";
import { findMember, listMembers } from "../workspaces/index.js";
import { memberPolicy } from "./policy.js";

type MemberDeps = Pick<Deps, "db" | "clock" | "config">;

export async function listWorkspaceMembers(deps: MemberDeps, scope: WorkspaceScope) {
  return listMembers(deps.db, scope.workspace.id);
}

// The member is looked up inside this workspace only: a user of another
// workspace answers 404, like an unknown id.
export async function resetMemberTwoFactor(deps: MemberDeps, scope: WorkspaceScope, targetId: string, meta: RequestMeta): Promise<User> {
  const target = await findMember(deps.db, scope.workspace.id, targetId);
  if (!target) throw notFound();
  const actor = { id: scope.membership.userId, role: scope.membership.role };
  if (!memberPolicy.canResetTwoFactor(actor, { id: target.user.id, role: target.role })) {
    throw new AppError(403, "FORBIDDEN", { message: "You cannot reset this member's two-factor authentication." });
  }
  if (!isTwoFactorEnabled(target.user)) throw new AppError(409, "TWO_FACTOR_NOT_ENABLED", { message: `${target.user.username} does not use two-factor authentication.` });
  await resetTwoFactor(deps, actor.id, target.user, scope.workspace.id, meta);
  return target.user;
}
