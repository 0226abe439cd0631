import { formatDay, formatUtc } from "../../platform/format.js";
import type { Invitation } from "../invitations/index.js";
import { avatarUrl, initialsOf } from "../profile/index.js";
import type { User } from "../users/index.js";
import type { WorkspaceRole } from "../workspaces/index.js";
import { isTwoFactorEnabled } from "../two-factor/index.js";
import { memberPolicy, type MemberRef } from "./policy.js";
import type { MemberListQuery } from "./schema.js";
import { encodeCursor } from "./schema.js";

const ROLE_LABELS = { owner: "workspaces:roles.owner", admin: "workspaces:roles.admin", member: "workspaces:roles.member" } as const;

export function presentMember(
  member: { user: User; role: WorkspaceRole; joinedAt?: Date; avatarEtag?: string | null },
  viewer: MemberRef,
  extra: { passkeys?: number; lastActive?: number } = {},
) {
  const twoFactor = isTwoFactorEnabled(member.user);
  const target = { id: member.user.id, role: member.role };
  return {
    id: member.user.id,
    username: member.user.username,
    email: member.user.email,
    role: member.role,
    roleLabel: ROLE_LABELS[member.role],
    twoFactor,
    joined: member.joinedAt ?? null,
    avatarUrl: member.avatarEtag ? avatarUrl(member.user.id, member.avatarEtag) : null,
    initials: initialsOf(member.user.username),
    passkeys: extra.passkeys ?? 0,
    lastActive: extra.lastActive,
    canResetTwoFactor: twoFactor && memberPolicy.canResetTwoFactor(viewer, target),
    canChangeRole: memberPolicy.canChangeRole(viewer, target, "member").allowed,
    canRemove: memberPolicy.canRemove(viewer, target).allowed,
  };
}

export function presentInvitation(invitation: Invitation) {
  return { id: invitation.id, email: invitation.email, role: ROLE_LABELS[invitation.role], expiresAt: invitation.expiresAt };
}

// Links that keep the search while changing the sort or the page.
export function memberListLinks(base: string, query: MemberListQuery, next: [string, string] | null) {
  const href = (params: Record<string, string | undefined>) => {
    const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
    return search ? `${base}?${search}` : base;
  };
  const sortLink = (sort: string) => href({ q: query.q, sort, dir: query.sort === sort && query.dir === "asc" ? "desc" : "asc" });
  return {
    first: href({ q: query.q, sort: query.sort, dir: query.dir }),
    next: next ? href({ q: query.q, sort: query.sort, dir: query.dir, after: encodeCursor(next) }) : null,
    sort: { username: sortLink("username"), joined: sortLink("joined"), role: sortLink("role") },
  };
}
