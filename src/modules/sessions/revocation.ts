import type { Db } from "../../platform/db.js";
import type { Deps } from "../../platform/deps.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { revokeSessionsBefore } from "../users/index.js";
import { sessionEvents } from "./events.js";

// Ending sessions as part of a credential change, so the change and the
// sign-outs commit together or not at all (SECURITY.md, Reliability):
//   1. before:  list the sessions that will end (Redis; a failure here
//               changes nothing);
//   2. inside the change's transaction: move the account's credential epoch
//               to `at` and record it — from the commit on, those sessions
//               are signed out at their next request, on every process;
//   3. after:   delete their Redis keys, best effort (they are already dead).
export interface Revocation {
  userId: string;
  sids: string[];
  at: Date;
}

type RevocationDeps = Pick<Deps, "sessionIndex" | "clock" | "logger">;

export async function prepareRevocation(deps: RevocationDeps, userId: string, at: Date, exceptSid: string | null): Promise<Revocation> {
  const sessions = await deps.sessionIndex.list(userId, at.getTime());
  return { userId, at, sids: sessions.filter((session) => session.sid !== exceptSid).map((session) => session.sid) };
}

export async function commitRevocation(tx: Db, revocation: Revocation, by: { actorId: string; reason: string }, meta?: RequestMeta): Promise<void> {
  await revokeSessionsBefore(tx, revocation.userId, revocation.at);
  await recordEvent(tx, sessionEvents.endedMany(by.actorId, revocation.userId, revocation.sids.length, by.reason), meta, revocation.at);
}

export async function cleanUpRevocation(deps: RevocationDeps, revocation: Revocation): Promise<void> {
  try {
    await deps.sessionIndex.destroy(revocation.userId, revocation.sids);
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message, userId: revocation.userId }, "revoked sessions left in Redis until they expire");
  }
}

// The three steps around one change that signs the account out everywhere
// (but `exceptSid`): the change and the epoch commit together.
export async function changeEndingSessions<T>(
  deps: RevocationDeps & Pick<Deps, "db">,
  end: { userId: string; at: Date; exceptSid: string | null; actorId: string; reason: string; meta?: RequestMeta },
  change: (tx: Db) => Promise<T>,
): Promise<T> {
  const revocation = await prepareRevocation(deps, end.userId, end.at, end.exceptSid);
  const value = await deps.db.transaction(async (tx) => {
    const result = await change(tx);
    await commitRevocation(tx, revocation, { actorId: end.actorId, reason: end.reason }, end.meta);
    return result;
  });
  await cleanUpRevocation(deps, revocation);
  return value;
}
