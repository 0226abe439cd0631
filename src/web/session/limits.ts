import type { BaseWorkspace } from "../context.js";

// Session limits are workspace settings (DESIGN.md); these are their ranges
// and defaults, shared by the workspace schema and the session checks.
export const SESSION_IDLE_MINUTES = { min: 30, max: 10080, default: 10080 } as const;
export const SESSION_MAX_DAYS = { min: 1, max: 30, default: 30 } as const;

export interface SessionLimits {
  idleMinutes: number;
  maxDays: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: SESSION_IDLE_MINUTES.default, maxDays: SESSION_MAX_DAYS.default };

export function limitsOf(workspace: Pick<BaseWorkspace, "sessionIdleMinutes" | "sessionMaxDays"> | undefined | null): SessionLimits {
  return workspace ? { idleMinutes: workspace.sessionIdleMinutes, maxDays: workspace.sessionMaxDays } : DEFAULT_SESSION_LIMITS;
}

// Inactivity is measured from the last activity, the maximum from the
// sign-in, which never moves (activity never extends the absolute limit).
export function sessionExpired(facts: { lastSeenAt?: number; signedInAt?: number }, limits: SessionLimits, nowMs: number): boolean {
  const idleExpired = nowMs - (facts.lastSeenAt ?? 0) > limits.idleMinutes * 60_000;
  const absoluteExpired = nowMs - (facts.signedInAt ?? 0) > limits.maxDays * 86_400_000;
  return idleExpired || absoluteExpired;
}
