import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../platform/deps.js";
import type { CurrentUser, Membership } from "./context.js";
import { sessionExpired, limitsOf } from "./session/limits.js";
import { sessionCookieName } from "./session/store.js";
import { authFacts, credentialsRevoked, destroySession, recordActivity } from "./sign-in/session-auth.js";

// Who is signed in, loaded once per request. The module that owns accounts
// and memberships provides it (workspaces/principal.ts), so web/ imports no
// feature; `present` builds the layout's header and switcher.
export interface PrincipalSource {
  load(userId: string): Promise<{ user: CurrentUser["user"]; memberships: Membership[]; avatarEtag: string | null } | undefined>;
  present(current: CurrentUser, avatarEtag: string | null, activeWorkspaceId: string | null): Record<string, unknown>;
}

// The session id the browser sent ("s:<id>.<signature>"), if any.
function presentedSessionId(req: Request, cookieName: string): string | undefined {
  const header = req.headers.cookie ?? "";
  const match = header.split(/;\s*/).find((pair) => pair.startsWith(`${cookieName}=`));
  if (!match) return undefined;
  const value = decodeURIComponent(match.slice(cookieName.length + 1));
  return value.startsWith("s:") ? value.slice(2, value.lastIndexOf(".")) : undefined;
}

// Runs on every request with a session: loads the user and their workspaces in
// one query, then enforces the active workspace's session limits on the server
// (the cookie alone is never trusted). An expired or orphaned session is
// destroyed and the request continues as signed out.
export function loadCurrentUser(deps: Pick<Deps, "clock" | "sessionIndex" | "config">, source: PrincipalSource) {
  const cookieName = sessionCookieName(deps.config.secureCookies);
  return async (req: Request, res: Response, next: NextFunction) => {
    const facts = authFacts(req);
    if (!facts.userId) {
      // A cookie naming a session Redis no longer has: it expired or was ended.
      const presented = presentedSessionId(req, cookieName);
      req.sessionExpired = presented !== undefined && presented !== req.sessionID;
      return next();
    }

    const loaded = await source.load(facts.userId);
    if (!loaded || loaded.user.status !== "active") {
      await destroySession(req, deps);
      return next();
    }
    const activeMembership = loaded.memberships.find((membership) => membership.workspace.id === facts.workspaceId) ?? loaded.memberships[0];
    const now = deps.clock.now().getTime();
    if (sessionExpired(facts, limitsOf(activeMembership?.workspace), now) || credentialsRevoked(req, loaded.user.sessionsValidAfter)) {
      await destroySession(req, deps);
      req.sessionExpired = true;
      return next();
    }
    recordActivity(req, now, activeMembership?.workspace);
    req.currentUser = { user: loaded.user, memberships: loaded.memberships, activeMembership };
    Object.assign(res.locals, source.present(req.currentUser, loaded.avatarEtag, authFacts(req).workspaceId ?? null));
    next();
  };
}
