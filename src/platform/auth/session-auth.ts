import { randomBytes } from "node:crypto";
import type { Request } from "express";
import type { SessionData } from "express-session";
import type { Clock } from "../clock.js";
import { SESSION_IDLE_MINUTES, SESSION_MAX_DAYS, type Workspace } from "../../modules/workspaces/tables.js";
import type { SessionLimits } from "../http/session.js";
import type { SessionIndex } from "../http/session-index.js";

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: SESSION_IDLE_MINUTES.default, maxDays: SESSION_MAX_DAYS.default };

export interface SessionAuthDeps {
  clock: Clock;
  sessionIndex: SessionIndex;
}

export function limitsOf(workspace: Workspace | undefined | null): SessionLimits {
  return workspace ? { idleMinutes: workspace.sessionIdleMinutes, maxDays: workspace.sessionMaxDays } : DEFAULT_SESSION_LIMITS;
}

export function absoluteExpiryMs(session: Pick<SessionData, "signedInAt" | "limits">): number {
  return session.signedInAt + session.limits.maxDays * 86_400_000;
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
export async function signIn(req: Request, deps: SessionAuthDeps, userId: string, workspace: Workspace | undefined): Promise<void> {
  await regenerate(req);
  const now = deps.clock.now().getTime();
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
    // A public handle for the sessions list: the session id itself is a
    // bearer secret and never appears in a page.
    handle: randomBytes(12).toString("base64url"),
  } satisfies Partial<SessionData>);
  await saveSession(req);
  await deps.sessionIndex.add(userId, req.sessionID, absoluteExpiryMs(req.session as SessionData));
}

// Step-up and privilege changes: same session data under a new id.
export async function rotateSessionId(req: Request, deps: SessionAuthDeps, changes: Partial<SessionData> = {}): Promise<void> {
  const oldSid = req.sessionID;
  const { cookie: _cookie, ...data } = req.session;
  await regenerate(req);
  Object.assign(req.session, data, changes);
  await saveSession(req);
  const userId = req.session.userId;
  if (userId) {
    await deps.sessionIndex.remove(userId, oldSid);
    await deps.sessionIndex.add(userId, req.sessionID, absoluteExpiryMs(req.session as SessionData));
  }
}

// Deletes the server session and leaves the request with a fresh, empty one,
// so the rest of the request (CSRF token, flash) proceeds as signed out.
export async function destroySession(req: Request, deps: Pick<SessionAuthDeps, "sessionIndex">): Promise<void> {
  const { userId } = req.session;
  const sid = req.sessionID;
  await regenerate(req);
  if (userId) await deps.sessionIndex.remove(userId, sid);
}
