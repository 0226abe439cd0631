import { randomBytes } from "node:crypto";
import type { Request } from "express";
import type { SessionData } from "express-session";
import type { Clock } from "../../platform/clock.js";
import type { SessionIndex } from "../../platform/session-index.js";
import { requestMeta, type BaseWorkspace } from "../context.js";
import { limitsOf } from "../session/limits.js";

// The only writer of the session's authentication keys (who, which factors,
// when, which workspace, the limits in force). Everything else reads them
// through authFacts().
export interface SessionAuthDeps {
  clock: Clock;
  sessionIndex: SessionIndex;
}

export type AuthFacts = Readonly<Pick<SessionData, "userId" | "multiFactor" | "workspaceId" | "viaWorkspaceId" | "signedInAt" | "authenticatedAt" | "credentialsAt" | "lastSeenAt" | "limits" | "factors" | "handle">>;

export function authFacts(req: Request): Partial<AuthFacts> {
  return req.session ?? {};
}

export function absoluteExpiryMs(session: Pick<SessionData, "signedInAt" | "limits">): number {
  return session.signedInAt + session.limits.maxDays * 86_400_000;
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}

// A session made by regenerate() or store.generate() is not followed by
// express-session: at the end of the request it sees an id other than the
// one the request came with and saves it again, unchanged (a second SET of
// the same value at every sign-in). Saved once here, it is saved again at the
// end only if something changed since (a flash message, say).
async function saveNewSession(req: Request): Promise<void> {
  await saveSession(req);
  const session = req.session;
  const save = session.save;
  const saved = JSON.stringify(session);
  Object.defineProperty(session, "save", {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: typeof session, callback?: (error?: unknown) => void) {
      if (JSON.stringify(this) !== saved) return save.call(this, callback);
      callback?.();
      return this;
    },
  });
}

// A new session id at every sign-in defeats session fixation; the old
// session's data (including its CSRF token and any pending challenge) is discarded.
export async function establishSession(
  req: Request,
  deps: SessionAuthDeps,
  signIn: { userId: string; workspace: BaseWorkspace | undefined; factors: string[]; multiFactor: boolean; viaWorkspaceId?: string | null },
): Promise<void> {
  await regenerate(req);
  const now = deps.clock.now().getTime();
  const meta = requestMeta(req);
  Object.assign(req.session, {
    userId: signIn.userId,
    factors: signIn.factors,
    multiFactor: signIn.multiFactor,
    workspaceId: signIn.workspace?.id ?? null,
    viaWorkspaceId: signIn.viaWorkspaceId ?? null,
    signedInAt: now,
    authenticatedAt: now,
    credentialsAt: now,
    lastSeenAt: now,
    limits: limitsOf(signIn.workspace),
    ip: meta.ip,
    userAgent: meta.userAgent,
    // A public handle for the sessions list: the session id itself is a
    // bearer secret and never appears in a page.
    handle: randomBytes(12).toString("base64url"),
  } satisfies Partial<SessionData>);
  await saveNewSession(req);
  await deps.sessionIndex.add(signIn.userId, req.sessionID, absoluteExpiryMs(req.session as SessionData));
}

// Step-up and privilege changes: same session data under a new id. The new
// session is stored before the old one is deleted, and until it is stored the
// request keeps the old one: a Redis failure at any step leaves the browser
// signed in under one of the two ids, never holding an id that does not exist
// (which signed the user out of a change that was refused; found by
// test/platform/password-change-redis-cut.test.ts).
async function rotate(req: Request, deps: SessionAuthDeps, changes: Partial<SessionData>): Promise<void> {
  const oldSid = req.sessionID;
  const oldSession = req.session;
  const { cookie: _cookie, ...data } = req.session;
  req.sessionStore.generate(req);
  Object.assign(req.session, data, changes);
  try {
    await saveNewSession(req);
  } catch (error) {
    req.sessionID = oldSid;
    req.session = oldSession;
    throw error;
  }
  const userId = req.session.userId;
  if (userId) await deps.sessionIndex.add(userId, req.sessionID, absoluteExpiryMs(req.session as SessionData));
  // The old id must stop working (session fixation): if it cannot be deleted
  // the caller's change fails, and the browser already holds the new id.
  await new Promise<void>((resolve, reject) => req.sessionStore.destroy(oldSid, (error) => (error ? reject(error) : resolve())));
  if (userId) await deps.sessionIndex.remove(userId, oldSid);
}

// A credential or factor change made from this session: it continues under a
// new id, stamped as proven at `at`. Called before the change commits, so a
// change that revokes older sessions (the same `at` as the account's new
// credential epoch) keeps this one, and a failure here changes nothing.
export type KeepSession = (at: Date) => Promise<void>;

export function keepSession(req: Request, deps: SessionAuthDeps): KeepSession {
  return (at) => rotate(req, deps, { credentialsAt: at.getTime() });
}

// Whether the account ended this session by a credential change since it
// last proved itself (the epoch travels with the per-request user load).
export function credentialsRevoked(req: Request, sessionsValidAfter: Date | null): boolean {
  if (!sessionsValidAfter) return false;
  const facts = authFacts(req);
  return (facts.credentialsAt ?? facts.signedInAt ?? 0) < sessionsValidAfter.getTime();
}

// A step-up succeeded: the proof is fresh again, under a new session id.
export function markReauthenticated(req: Request, deps: SessionAuthDeps, methodId: string): Promise<void> {
  const factors = [...new Set([...(req.session.factors ?? []), methodId])];
  return rotate(req, deps, { authenticatedAt: deps.clock.now().getTime(), factors });
}

// Switching keeps signedInAt and lastSeenAt: the new workspace's limits are
// measured from the original sign-in, so switching never extends a session.
// The role may differ between workspaces, so the session id rotates.
export function switchWorkspace(req: Request, deps: SessionAuthDeps, workspace: BaseWorkspace): Promise<void> {
  return rotate(req, deps, { workspaceId: workspace.id, limits: limitsOf(workspace) });
}

// Activity is written (a SET that also renews the Redis TTL) at most once a
// minute, or at once when the limits or workspace changed: most page views
// then cost no Redis write at all. A minute of slack is nothing next to the
// shortest inactivity limit (30 minutes).
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export function recordActivity(req: Request, nowMs: number, workspace: BaseWorkspace | undefined): void {
  const session = req.session;
  const limits = limitsOf(workspace);
  const workspaceId = workspace?.id ?? null;
  const limitsChanged = session.limits?.idleMinutes !== limits.idleMinutes || session.limits?.maxDays !== limits.maxDays;
  if (nowMs - (session.lastSeenAt ?? 0) >= ACTIVITY_WRITE_INTERVAL_MS || limitsChanged || session.workspaceId !== workspaceId) {
    session.lastSeenAt = nowMs;
    session.limits = limits;
    session.workspaceId = workspaceId;
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
