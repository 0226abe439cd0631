import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../../deps.js";
import { loadUserWithMemberships, type WorkspaceMembership } from "../../modules/workspaces/repo.js";
import { presentMembership } from "../../modules/workspaces/presenter.js";
import type { User } from "../../modules/users/tables.js";
import { destroySession, limitsOf } from "./session-auth.js";

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
export function loadCurrentUser(deps: Pick<Deps, "db" | "clock">) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.viewer = null;
    res.locals.workspaceSwitcher = [];
    const session = req.session;
    if (!session?.userId) return next();

    const loaded = await loadUserWithMemberships(deps.db, session.userId);
    if (!loaded || loaded.user.status !== "active") {
      await destroySession(req);
      return next();
    }
    const activeMembership =
      loaded.memberships.find((membership) => membership.workspace.id === session.workspaceId) ?? loaded.memberships[0];
    const limits = limitsOf(activeMembership?.workspace);
    const now = deps.clock.now().getTime();
    const idleExpired = now - (session.lastSeenAt ?? 0) > limits.idleMinutes * 60_000;
    const absoluteExpired = now - (session.signedInAt ?? 0) > limits.maxDays * 86_400_000;
    if (idleExpired || absoluteExpired) {
      await destroySession(req);
      req.sessionExpired = true;
      return next();
    }

    session.lastSeenAt = now;
    session.limits = limits;
    session.workspaceId = activeMembership?.workspace.id ?? null;
    req.currentUser = { ...loaded, activeMembership };
    res.locals.viewer = {
      id: loaded.user.id,
      username: loaded.user.username,
      email: loaded.user.email,
      initials: loaded.user.username.slice(0, 2).toUpperCase(),
      isInstanceAdmin: loaded.user.isInstanceAdmin,
    };
    res.locals.activeWorkspace = activeMembership ? presentMembership(activeMembership, session.workspaceId) : null;
    res.locals.workspaceSwitcher = loaded.memberships.map((membership) => presentMembership(membership, session.workspaceId));
    next();
  };
}
