import type { Request } from "express";
import type { WebDeps } from "../../app.js";
import { currentUserOf } from "../../platform/auth/guards.js";
import { passwordSection } from "../password/service.js";
import { presentSession } from "../sessions/presenter.js";
import { listActiveSessions } from "../sessions/service.js";
import { presentTwoFactor } from "../two-factor/presenter.js";
import { countUnusedBackupCodes } from "../two-factor/repo.js";
import { listSubjectEvents } from "../audit/repo.js";
import { presentSecurityEvent } from "../audit/presenter.js";

// The security page is one page of several feature sections. Every route that
// re-renders it (after a failed form, without JavaScript) needs the data of
// all sections, so it is loaded in one place.
export async function loadSecurityPage(deps: WebDeps, req: Request): Promise<Record<string, unknown>> {
  const { user, memberships } = currentUserOf(req);
  const [sessions, events, backupCodesLeft] = await Promise.all([
    listActiveSessions(deps, user.id, req.sessionID),
    listSubjectEvents(deps.db, user.id),
    countUnusedBackupCodes(deps.db, user.id),
  ]);
  return {
    title: "Security",
    sessions: sessions.map((session) => presentSession(session, memberships)),
    passwordSection: passwordSection(user),
    twoFactor: presentTwoFactor(user, backupCodesLeft, Boolean(req.session.signedInWithBackupCode)),
    securityLog: events.map((event) => presentSecurityEvent(event, user.id)),
  };
}
