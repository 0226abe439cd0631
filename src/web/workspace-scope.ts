import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { AppError, notFound } from "../platform/errors.js";
import type { Deps } from "../platform/deps.js";
import type { CurrentUser, Membership, ScopedWorkspace } from "./context.js";
import { requireUser, loginUrl } from "./guards.js";
import { redirectTo, setFlash } from "./render.js";
import { limitsOf, sessionExpired } from "./session/limits.js";
import { authFacts, destroySession, type AuthFacts } from "./sign-in/session-auth.js";
import { parseInput } from "./validate.js";

// The workspace a request is about. Under /w/:slug it comes from the URL and
// nowhere else; pages outside /w/ use the session's active workspace.
export interface WorkspaceScope {
  workspace: ScopedWorkspace;
  membership: Membership;
}

// A rule a workspace imposes on whoever uses it (2FA required, later SSO
// required). Registered by the module that owns the rule (app.ts collects them).
export interface WorkspaceRequirement {
  id: string;
  // Where a member who does not meet it is sent, and why; null when met.
  // `session` is how this session signed in (factors, multi-factor or not).
  unmetBy(current: CurrentUser, workspace: ScopedWorkspace, session: Partial<AuthFacts>): { redirect: string; message: string; vars?: Record<string, unknown> } | null;
  // Paths outside /w/ that stay reachable while it is unmet (enrolment itself, sign-out).
  allows(path: string): boolean;
}

declare module "express-serve-static-core" {
  interface Request {
    // Set by the workspace router for /w/:slug/… requests.
    scope?: WorkspaceScope;
  }
}

type ScopeDeps = Pick<Deps, "clock" | "sessionIndex"> & { workspaceRequirements: WorkspaceRequirement[] };

export const slugParam = z.object({ slug: z.string().max(64) });

export function scopeOf(req: Request): WorkspaceScope {
  if (!req.scope) throw new AppError(500, "NO_WORKSPACE_SCOPE", { message: "This page is not inside a workspace." });
  return req.scope;
}

export function scopeUrl(scope: WorkspaceScope, path = ""): string {
  return `/w/${scope.workspace.slug}${path}`;
}

function firstUnmet(deps: Pick<ScopeDeps, "workspaceRequirements">, req: Request, current: CurrentUser, workspace: ScopedWorkspace) {
  for (const requirement of deps.workspaceRequirements) {
    const unmet = requirement.unmetBy(current, workspace, authFacts(req));
    if (unmet) return { requirement, unmet };
  }
  return null;
}

// Resolves {workspace, membership} once for every /w/:slug/… route (404 for
// non-members: a workspace's existence is not disclosed), then applies that
// workspace's own session limits and requirements — whichever workspace the
// session is signed into. Feature routes are added to the returned router.
export function createWorkspaceRouter(deps: ScopeDeps): Router {
  const router = Router({ mergeParams: true });
  router.use(requireUser, async (req: Request, res: Response, next: NextFunction) => {
    const { slug } = parseInput(slugParam, req.params);
    const current = req.currentUser!;
    const membership = current.memberships.find((candidate) => candidate.workspace.slug === slug);
    if (!membership) return next(notFound());
    if (sessionExpired(authFacts(req), limitsOf(membership.workspace), deps.clock.now().getTime())) {
      await destroySession(req, deps);
      req.sessionExpired = true;
      return redirectTo(req, res, loginUrl(req));
    }
    const blocked = firstUnmet(deps, req, current, membership.workspace);
    if (blocked) {
      setFlash(req, "error", blocked.unmet.message, blocked.unmet.vars);
      return redirectTo(req, res, blocked.unmet.redirect);
    }
    req.scope = { workspace: membership.workspace, membership };
    // Every page of the workspace is titled "Page · Workspace · Latchkey" (views/layouts/page.ejs).
    res.locals.titleWorkspace = membership.workspace.name;
    next();
  });
  return router;
}

// Pages outside /w/ obey the requirements of the session's active workspace.
export function activeWorkspaceRequirements(deps: ScopeDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const current = req.currentUser;
    const workspace = current?.activeMembership?.workspace;
    if (!current || !workspace || req.path.startsWith("/w/")) return next();
    const blocked = firstUnmet(deps, req, current, workspace);
    if (!blocked || blocked.requirement.allows(req.path)) return next();
    setFlash(req, "error", blocked.unmet.message, blocked.unmet.vars);
    redirectTo(req, res, blocked.unmet.redirect);
  };
}
