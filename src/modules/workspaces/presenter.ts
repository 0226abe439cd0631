import { workspacePolicy } from "./policy.js";
import { formatDay } from "../../platform/format.js";
import type { WorkspaceMembership } from "./repo.js";

const ROLE_LABELS = { owner: "workspaces:roles.owner", admin: "workspaces:roles.admin", member: "workspaces:roles.member" } as const;

export function presentMembership(membership: WorkspaceMembership, activeWorkspaceId?: string | null) {
  return {
    id: membership.workspace.id,
    name: membership.workspace.name,
    slug: membership.workspace.slug,
    url: `/w/${membership.workspace.slug}`,
    role: membership.role,
    roleLabel: ROLE_LABELS[membership.role],
    isActive: membership.workspace.id === activeWorkspaceId,
    canManage: workspacePolicy.canManageSettings(membership.role),
    sessionIdleMinutes: membership.workspace.sessionIdleMinutes,
    sessionMaxDays: membership.workspace.sessionMaxDays,
    requireTwoFactor: membership.workspace.requireTwoFactor,
    createdAt: membership.workspace.createdAt,
  };
}
