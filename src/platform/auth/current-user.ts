import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../../deps.js";
import { loadUserWithMemberships, type WorkspaceMembership } from "../../modules/workspaces/repo.js";
import { presentMembership } from "../../modules/workspaces/presenter.js";
import { avatarUrl, initialsOf } from "../../modules/profile/presenter.js";
import type { User } from "../../modules/users/tables.js";
import { destroySession, limitsOf } from "./session-auth.js";
import { sessionCookieName } from "../http/session.js";

const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

// The session id the browser sent ("s:<id>.<signature>"), if any.
function presentedSessionId(req: Request, cookieName: string): string | undefined {
  const header = req.headers.cookie ?? "";
  const match = header.split(/;\s*/).find((pair) => pair.startsWith(`${cookieName}=`));
  if (!match) return undefined;
  const value = decodeURIComponent(match.slice(cookieName.length + 1));
  return value.startsWith("s:") ? value.slice(2, value.lastIndexOf(".")) : undefined;
}

export interface CurrentUser {
  user: User;
  memberships: WorkspaceMembership[];
  activeMembership: WorkspaceMembership | undefined;
}

declare module "express-serve-static-core" {
  interface Request {
    currentUser?: CurrentUser;
    sessionExpired?: boolean;
  }
}

// Runs on every request with a session: loads the user and their workspaces in
// one query, then enforces the active workspace's session limits on the server
// (the cookie alone is never trusted). An expired or orphaned session is
// destroyed and the request continues as signed out.
export function loadCurrentUser(deps: Pick<Deps, "db" | "clock" | "sessionIndex" | "config">) {
  const cookieName = sessionCookieName(deps.config.secureCookies);
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = req.session;
    if (!session?.userId) {
      // A cookie naming a session Redis no longer has: it expired or was ended.
      const presented = presentedSessionId(req, cookieName);
      req.sessionExpired = presented !== undefined && presented !== req.sessionID;
      return next();
    }

    const loaded = await loadUserWithMemberships(deps.db, session.userId);
    if (!loaded || loaded.user.status !== "active") {
      await destroySession(req, deps);
      return next();
    }
    const activeMembership =
      loaded.memberships.find((membership) => membership.workspace.id === session.workspaceId) ?? loaded.memberships[0];
    const limits = limitsOf(activeMembership?.workspace);
    const now = deps.clock.now().getTime();
    const idleExpired = now - (session.lastSeenAt ?? 0) > limits.idleMinutes * 60_000;
    const absoluteExpired = now - (session.signedInAt ?? 0) > limits.maxDays * 86_400_000;
    if (idleExpired || absoluteExpired) {
      await destroySession(req, deps);
      req.sessionExpired = true;
      return next();
    }

    // Activity is written (a SET that also renews the Redis TTL) at most once
    // a minute, or at once when the limits or workspace changed: most page
    // views then cost no Redis write at all. A minute of slack is nothing
    // next to the shortest inactivity limit (30 minutes).
    const workspaceId = activeMembership?.workspace.id ?? null;
    const limitsChanged = session.limits?.idleMinutes !== limits.idleMinutes || session.limits?.maxDays !== limits.maxDays;
    if (now - (session.lastSeenAt ?? 0) >= ACTIVITY_WRITE_INTERVAL_MS || limitsChanged || session.workspaceId !== workspaceId) {
      session.lastSeenAt = now;
      session.limits = limits;
      session.workspaceId = workspaceId;
    }
    const { avatarEtag, ...account } = loaded;
    req.currentUser = { ...account, activeMembership };
    res.locals.viewer = {
      id: loaded.user.id,
      username: loaded.user.username,
      email: loaded.user.email,
      initials: initialsOf(loaded.user.username),
      avatarUrl: avatarEtag ? avatarUrl(loaded.user.id, avatarEtag) : null,
      isInstanceAdmin: loaded.user.isInstanceAdmin,
    };
    res.locals.activeWorkspace = activeMembership ? presentMembership(activeMembership, session.workspaceId) : null;
    res.locals.workspaceSwitcher = loaded.memberships.map((membership) => presentMembership(membership, session.workspaceId));
    next();
  };
}
