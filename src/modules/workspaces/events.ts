import { defineEvents } from "../audit/index.js";
import type { Workspace } from "./tables.js";

type Limits = { sessionIdleMinutes: number; sessionMaxDays: number };

export const workspaceEvents = defineEvents({
  created: {
    type: "workspace.created",
    label: "Workspace created",
    event: (ownerId: string, workspace: Workspace) => ({ actorId: ownerId, subjectId: ownerId, workspaceId: workspace.id }),
  },
  sessionLimitsChanged: {
    type: "workspace.session_limits_changed",
    label: "Session limits changed",
    event: (actorId: string, workspace: Workspace, before: Limits, after: Limits) => ({ actorId, workspaceId: workspace.id, details: { before, after } }),
  },
  twoFactorRequirementChanged: {
    type: "workspace.two_factor_requirement_changed",
    label: "Two-factor requirement changed",
    event: (actorId: string, workspace: Workspace, required: boolean) => ({
      actorId,
      workspaceId: workspace.id,
      details: { before: workspace.requireTwoFactor, after: required },
    }),
  },
});
