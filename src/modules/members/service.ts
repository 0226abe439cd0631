import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import type { WorkspaceScope } from "../../web/workspace-scope.js";
import { recordEvent } from "../audit/index.js";
import { createInvitation, listOpenInvitations, resendInvitation, revokeInvitation, type InvitationRole } from "../invitations/index.js";
import { isTwoFactorEnabled, resetTwoFactor } from "../two-factor/index.js";
import { findUserByLogin, type User } from "../users/index.js";
import { findMember, listMembers } from "../workspaces/index.js";
import { memberEvents } from "./events.js";
import { memberPolicy, type Decision } from "./policy.js";
import { deleteMembership, insertMembership, listMembersPage, passkeyCounts, lockMembership, lockWorkspace, replaceRole, type MemberSort } from "./repo.js";

type MemberDeps = Pick<Deps, "db" | "clock" | "config" | "sessionIndex" | "logger">;

const actorOf = (scope: WorkspaceScope) => ({ id: scope.membership.userId, role: scope.membership.role });

// Not one's place: 403. A rule about the target (last owner, own role): 409.
const FORBIDDEN_CODES = new Set(["FORBIDDEN", "ONLY_OWNER_GRANTS_ADMIN"]);
function assertAllowed(decision: Decision): void {
  if (!decision.allowed) throw new AppError(FORBIDDEN_CODES.has(decision.code) ? 403 : 409, decision.code, { message: decision.message });
}

function assertManager(scope: WorkspaceScope): void {
  if (!memberPolicy.canManageMembers(scope.membership)) throw new AppError(403, "FORBIDDEN", { message: "codes:more.manageOnly" });
}

export async function listWorkspaceMembers(
  deps: Pick<Deps, "db" | "sessionIndex" | "clock" | "logger">,
  scope: WorkspaceScope,
  query: { q?: string; sort: MemberSort; dir: "asc" | "desc"; after?: [string, string] },
) {
  const page = await listMembersPage(deps.db, scope.workspace.id, query);
  const ids = page.rows.map((row) => row.user.id);
  const [invitations, passkeys, lastActive] = await Promise.all([
    memberPolicy.canManageMembers(scope.membership) ? listOpenInvitations(deps.db, scope.workspace.id) : [],
    passkeyCounts(deps.db, ids),
    lastActiveIn(deps, scope.workspace.id, ids),
  ]);
  return { ...page, invitations, passkeys, lastActive };
}

// "Last active" is the newest activity of the member's live sessions signed
// into this workspace (the session index; activity is written every few
// minutes). Nothing is stored for it; Redis trouble only blanks the column.
async function lastActiveIn(deps: Pick<Deps, "sessionIndex" | "clock" | "logger">, workspaceId: string, userIds: string[]): Promise<Map<string, number>> {
  const now = deps.clock.now().getTime();
  try {
    const lists = await Promise.all(userIds.map((id) => deps.sessionIndex.list(id, now)));
    const result = new Map<string, number>();
    lists.forEach((sessions, i) => {
      const times = sessions.filter((session) => session.data.workspaceId === workspaceId).map((session) => session.data.lastSeenAt ?? 0);
      if (times.length) result.set(userIds[i]!, Math.max(...times));
    });
    return result;
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message }, "member list shown without last activity");
    return new Map();
  }
}

// The member is looked up inside this workspace only: a user of another
// workspace answers 404, like an unknown id.
export async function resetMemberTwoFactor(deps: MemberDeps, scope: WorkspaceScope, targetId: string, meta: RequestMeta): Promise<User> {
  const target = await findMember(deps.db, scope.workspace.id, targetId);
  if (!target) throw notFound();
  const actor = actorOf(scope);
  if (!memberPolicy.canResetTwoFactor(actor, { id: target.user.id, role: target.role })) {
    throw new AppError(403, "FORBIDDEN", { message: "codes:more.cannotReset" });
  }
  if (!isTwoFactorEnabled(target.user)) throw new AppError(409, "TWO_FACTOR_NOT_ENABLED", { message: `${target.user.username} does not use two-factor authentication.` });
  await resetTwoFactor(deps, actor.id, target.user, scope.workspace.id, meta);
  return target.user;
}

export async function inviteMember(deps: MemberDeps, scope: WorkspaceScope, inviter: User, input: { email: string; role: InvitationRole }, meta: RequestMeta) {
  assertAllowed(memberPolicy.canInvite(scope.membership, input.role));
  return createInvitation(deps, inviter, scope.workspace, input, meta);
}

export async function resendMemberInvitation(deps: MemberDeps, scope: WorkspaceScope, inviter: User, invitationId: string, meta: RequestMeta) {
  assertManager(scope);
  return resendInvitation(deps, inviter, scope.workspace, invitationId, meta);
}

export async function revokeMemberInvitation(deps: MemberDeps, scope: WorkspaceScope, invitationId: string, meta: RequestMeta) {
  assertManager(scope);
  return revokeInvitation(deps, scope.membership.userId, scope.workspace, invitationId, meta);
}

// Adding an account without its consent is for instance administrators
// (who manage every account anyway); everyone else invites by email, so a
// workspace owner can neither probe which accounts exist nor pull strangers in.
export async function addExistingAccount(deps: MemberDeps, scope: WorkspaceScope, actor: User, input: { login: string; role: InvitationRole }, meta: RequestMeta): Promise<User> {
  assertAllowed(memberPolicy.canInvite(scope.membership, input.role));
  if (!actor.isInstanceAdmin) throw new AppError(403, "FORBIDDEN", { message: "codes:more.instanceAdminsAdd" });
  const subject = await findUserByLogin(deps.db, input.login);
  if (!subject || subject.status !== "active") throw new AppError(404, "NO_SUCH_ACCOUNT", { field: "login", message: "codes:more.noAccount" });
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (!(await insertMembership(tx, scope.workspace.id, subject.id, input.role, now))) {
      throw new AppError(409, "ALREADY_MEMBER", { field: "login", message: `${subject.username} is already a member.` });
    }
    await recordEvent(tx, memberEvents.added(actor.id, scope.workspace, subject, input.role), meta, now);
  });
  return subject;
}

const staleMember = (username: string) =>
  new AppError(409, "STALE_ROW", { message: `${username}'s role was changed elsewhere meanwhile. Reload the list and try again.` });

// `expected` is the role the actor saw: if it changed meanwhile, nothing is written.
export async function changeMemberRole(deps: MemberDeps, scope: WorkspaceScope, targetId: string, input: { role: "admin" | "member"; expected: "owner" | "admin" | "member" }, meta: RequestMeta): Promise<User> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const target = await lockMembership(tx, scope.workspace.id, targetId);
    if (!target) throw notFound();
    assertAllowed(memberPolicy.canChangeRole(actorOf(scope), { id: target.user.id, role: target.role }, input.role));
    if (target.role !== input.expected) throw staleMember(target.user.username);
    if (target.role === input.role) return target.user;
    if (!(await replaceRole(tx, scope.workspace.id, targetId, target.role, input.role))) throw staleMember(target.user.username);
    await recordEvent(tx, memberEvents.roleChanged(actorOf(scope).id, scope.workspace, target.user, target.role, input.role), meta, now);
    return target.user;
  });
}

// The membership goes in one transaction with its record; then the member's
// sessions signed into this workspace end (their other workspaces' sessions
// go on). Even if Redis fails here, those sessions no longer reach the
// workspace: the workspace router finds no membership.
export async function removeMember(deps: MemberDeps, scope: WorkspaceScope, targetId: string, meta: RequestMeta): Promise<{ user: User; sessionsEnded: number }> {
  const now = deps.clock.now();
  const sessions = await deps.sessionIndex.list(targetId, now.getTime());
  const doomed = sessions.filter((session) => session.data.workspaceId === scope.workspace.id).map((session) => session.sid);
  const user = await deps.db.transaction(async (tx) => {
    const target = await lockMembership(tx, scope.workspace.id, targetId);
    if (!target) throw notFound();
    assertAllowed(memberPolicy.canRemove(actorOf(scope), { id: target.user.id, role: target.role }));
    await deleteMembership(tx, scope.workspace.id, targetId);
    await recordEvent(tx, memberEvents.removed(actorOf(scope).id, scope.workspace, target.user, target.role, doomed.length), meta, now);
    return target.user;
  });
  try {
    await deps.sessionIndex.destroy(targetId, doomed);
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message, userId: targetId }, "sessions of a removed member left in Redis until they expire");
  }
  return { user, sessionsEnded: doomed.length };
}

// One transaction, serialised by a lock on the workspace row: the owner is
// demoted first, then the member promoted, so the unique index
// memberships_one_owner_per_workspace holds at every statement and the
// commit leaves exactly one owner. A second transfer waits for the lock,
// then finds its actor no longer owner and changes nothing.
export async function transferOwnership(deps: MemberDeps, scope: WorkspaceScope, owner: User, input: { userId: string; confirmName: string }, meta: RequestMeta): Promise<User> {
  if (input.confirmName.trim() !== scope.workspace.name) {
    throw new AppError(422, "CONFIRMATION_MISMATCH", { field: "confirmName", message: "codes:more.typeName" });
  }
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    if (!(await lockWorkspace(tx, scope.workspace.id))) throw notFound();
    const self = await lockMembership(tx, scope.workspace.id, owner.id);
    if (!self || self.role !== "owner") throw new AppError(409, "NOT_OWNER_ANYMORE", { message: "codes:more.notOwnerAnymore" });
    const target = await lockMembership(tx, scope.workspace.id, input.userId);
    if (!target) throw new AppError(404, "NOT_A_MEMBER", { field: "userId", message: "codes:more.chooseMember" });
    assertAllowed(memberPolicy.canTransferOwnership({ id: owner.id, role: self.role }, { id: target.user.id, role: target.role }));
    await replaceRole(tx, scope.workspace.id, owner.id, "owner", "admin");
    if (!(await replaceRole(tx, scope.workspace.id, target.user.id, target.role, "owner"))) throw staleMember(target.user.username);
    await recordEvent(tx, memberEvents.ownershipTransferred(scope.workspace, owner, target.user, deps.config.baseUrl), meta, now);
    return target.user;
  });
}

export const notOwner = () => new AppError(403, "FORBIDDEN", { message: "codes:more.ownerOnly" });

export async function transferCandidates(deps: Pick<Deps, "db">, scope: WorkspaceScope) {
  const all = await listMembers(deps.db, scope.workspace.id);
  return all.filter((member) => member.role !== "owner");
}
