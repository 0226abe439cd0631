import type { Request } from "express";
import type { Db } from "../../db/client.js";
import type { Clock } from "../clock.js";
import { SESSION_IDLE_MINUTES, SESSION_MAX_DAYS, type Workspace } from "../../modules/workspaces/tables.js";
import type { SessionLimits } from "../http/session.js";

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: SESSION_IDLE_MINUTES.default, maxDays: SESSION_MAX_DAYS.default };

export function limitsOf(workspace: Workspace | undefined | null): SessionLimits {
  return workspace ? { idleMinutes: workspace.sessionIdleMinutes, maxDays: workspace.sessionMaxDays } : DEFAULT_SESSION_LIMITS;
}

export function requestMeta(req: Request) {
  return { ip: req.ip ?? "unknown", userAgent: String(req.headers["user-agent"] ?? "").slice(0, 500) };
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}

// A new session id at every sign-in defeats session fixation; the old
// session's data (including its CSRF token) is discarded.
export async function signIn(req: Request, clock: Clock, userId: string, workspace: Workspace | undefined): Promise<void> {
  await regenerate(req);
  const now = clock.now().getTime();
  const meta = requestMeta(req);
  Object.assign(req.session, {
    userId,
    workspaceId: workspace?.id ?? null,
    signedInAt: now,
    authenticatedAt: now,
    lastSeenAt: now,
    limits: limitsOf(workspace),
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  await saveSession(req);
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
}

export type { Db };
