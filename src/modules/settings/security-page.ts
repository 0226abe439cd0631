import type { Request } from "express";
import type { WebDeps } from "../../app.js";
import { currentUserOf } from "../../platform/auth/guards.js";
import { passwordSection } from "../password/service.js";
import { presentSession } from "../sessions/presenter.js";
import { listActiveSessions } from "../sessions/service.js";
import { presentTwoFactor } from "../two-factor/presenter.js";
import { countUnusedBackupCodes } from "../two-factor/repo.js";

// The security page is one page of several feature sections. Every route that
// re-renders it (after a failed form, without JavaScript) needs the data of
// all sections, so it is loaded in one place.
export async function loadSecurityPage(deps: WebDeps, req: Request): Promise<Record<string, unknown>> {
  const { user, memberships } = currentUserOf(req);
  const sessions = await listActiveSessions(deps, user.id, req.sessionID);
  return {
    title: "Security",
    sessions: sessions.map((session) => presentSession(session, memberships)),
    passwordSection: passwordSection(user),
    twoFactor: presentTwoFactor(user, await countUnusedBackupCodes(deps.db, user.id), Boolean(req.session.signedInWithBackupCode)),
  };
}
