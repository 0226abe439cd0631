import { workspacePolicy } from "./policy.js";
import type { WorkspaceMembership } from "./repo.js";

const ROLE_LABELS = { owner: "Owner", admin: "Admin", member: "Member" } as const;

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
    createdAt: membership.workspace.createdAt.toISOString().slice(0, 10),
  };
}

export function presentLimitChange(event: { createdAt: Date; actorId: string | null; details: Record<string, unknown> }) {
  const before = event.details.before as { sessionIdleMinutes: number; sessionMaxDays: number } | undefined;
  const after = event.details.after as { sessionIdleMinutes: number; sessionMaxDays: number } | undefined;
  return {
    at: event.createdAt.toISOString().replace("T", " ").slice(0, 16) + " UTC",
    summary: before && after
      ? `Inactive ${before.sessionIdleMinutes} → ${after.sessionIdleMinutes} min, maximum ${before.sessionMaxDays} → ${after.sessionMaxDays} days`
      : "Session limits changed",
  };
}
