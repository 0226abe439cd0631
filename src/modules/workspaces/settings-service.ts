import type { Deps } from "../../platform/deps.js";
import type { RequestMeta } from "../../web/context.js";
import type { WorkspaceScope } from "../../web/workspace-scope.js";
import { recordEvent } from "../audit/index.js";
import { workspaceEvents } from "./events.js";
import { assertAllowed, workspacePolicy } from "./policy.js";
import { updateRequireTwoFactor, updateSessionLimits } from "./repo.js";
import type { SessionLimitsInput } from "./schema.js";

// Takes effect on every live session of the workspace at its next request:
// limits are read from the database per request, never copied into cookies.
export async function changeSessionLimits(deps: Pick<Deps, "db" | "clock">, actorId: string, scope: WorkspaceScope, input: SessionLimitsInput, meta: RequestMeta): Promise<void> {
  assertAllowed(workspacePolicy.canManageSettings(scope.membership.role));
  const { workspace } = scope;
  const before = { sessionIdleMinutes: workspace.sessionIdleMinutes, sessionMaxDays: workspace.sessionMaxDays };
  await deps.db.transaction(async (tx) => {
    await updateSessionLimits(tx, workspace.id, input);
    await recordEvent(tx, workspaceEvents.sessionLimitsChanged(actorId, workspace, before, input), meta, deps.clock.now());
  });
}

// Members without 2FA are sent to enrol at their next request in this workspace.
export async function changeTwoFactorRequirement(deps: Pick<Deps, "db" | "clock">, actorId: string, scope: WorkspaceScope, required: boolean, meta: RequestMeta) {
  assertAllowed(workspacePolicy.canManageSettings(scope.membership.role));
  await deps.db.transaction(async (tx) => {
    await updateRequireTwoFactor(tx, scope.workspace.id, required);
    await recordEvent(tx, workspaceEvents.twoFactorRequirementChanged(actorId, scope.workspace, required), meta, deps.clock.now());
  });
}
