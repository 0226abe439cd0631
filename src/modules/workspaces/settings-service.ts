import type { Deps } from "../../deps.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { assertCan, workspacePolicy } from "./policy.js";
import { updateRequireTwoFactor, updateSessionLimits, type WorkspaceMembership } from "./repo.js";
import type { SessionLimitsInput } from "./schema.js";

export const SESSION_LIMITS_CHANGED = "workspace.session_limits_changed";

// Takes effect on every live session of the workspace at its next request:
// limits are read from the database per request, never copied into cookies.
export async function changeSessionLimits(
  deps: Pick<Deps, "db">,
  actorId: string,
  membership: WorkspaceMembership,
  input: SessionLimitsInput,
  meta: RequestMeta,
): Promise<void> {
  assertCan(workspacePolicy.canManageSettings(membership.role));
  const { workspace } = membership;
  const before = { sessionIdleMinutes: workspace.sessionIdleMinutes, sessionMaxDays: workspace.sessionMaxDays };
  await deps.db.transaction(async (tx) => {
    await updateSessionLimits(tx, workspace.id, input);
    await recordAudit(tx, { action: SESSION_LIMITS_CHANGED, actorId, workspaceId: workspace.id, details: { before, after: input } }, meta);
  });
}

export const TWO_FACTOR_REQUIREMENT_CHANGED = "workspace.two_factor_requirement_changed";

// Members without 2FA are sent to enrol at their next request in this workspace.
export async function changeTwoFactorRequirement(deps: Pick<Deps, "db">, actorId: string, membership: WorkspaceMembership, required: boolean, meta: RequestMeta) {
  assertCan(workspacePolicy.canManageSettings(membership.role));
  await deps.db.transaction(async (tx) => {
    await updateRequireTwoFactor(tx, membership.workspace.id, required);
    await recordAudit(tx, { action: TWO_FACTOR_REQUIREMENT_CHANGED, actorId, workspaceId: membership.workspace.id, details: { before: membership.workspace.requireTwoFactor, after: required } }, meta);
  });
}
