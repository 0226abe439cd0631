import type { SessionData } from "express-session";
import type { Deps } from "../../platform/deps.js";
import { notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { sessionEvents } from "./events.js";

type SessionDeps = Pick<Deps, "db" | "sessionIndex" | "clock">;

export interface ActiveSession {
  sid: string;
  data: SessionData;
  isCurrent: boolean;
}

export async function listActiveSessions(deps: SessionDeps, userId: string, currentSid: string): Promise<ActiveSession[]> {
  const sessions = await deps.sessionIndex.list(userId, deps.clock.now().getTime());
  return sessions
    .map(({ sid, data }) => ({ sid, data, isCurrent: sid === currentSid }))
    .sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent) || (b.data.lastSeenAt ?? 0) - (a.data.lastSeenAt ?? 0));
}

// Ending is immediate: the session's key is deleted, so its next request (on
// any web process) finds no session and is signed out.
export async function endSession(deps: SessionDeps, userId: string, handle: string, currentSid: string, meta: RequestMeta): Promise<void> {
  const sessions = await deps.sessionIndex.list(userId, deps.clock.now().getTime());
  const target = sessions.find((session) => session.data.handle === handle && session.sid !== currentSid);
  if (!target) throw notFound();
  await deps.sessionIndex.destroy(userId, [target.sid]);
  await recordEvent(deps.db, sessionEvents.ended(userId, target.data), meta, deps.clock.now());
}

// Used by "sign out all other sessions", and by password changes, account
// locks and cancellation (pass exceptSid = null to end every session).
export async function endSessionsOfUser(
  deps: SessionDeps,
  userId: string,
  options: { exceptSid: string | null; actorId: string; reason: string },
  meta?: RequestMeta,
): Promise<number> {
  const sessions = await deps.sessionIndex.list(userId, deps.clock.now().getTime());
  const doomed = sessions.filter((session) => session.sid !== options.exceptSid).map((session) => session.sid);
  await deps.sessionIndex.destroy(userId, doomed);
  await recordEvent(deps.db, sessionEvents.endedMany(options.actorId, userId, doomed.length, options.reason), meta, deps.clock.now());
  return doomed.length;
}
