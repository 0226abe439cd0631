import type { NextFunction, Request, Response } from "express";
import { AppError } from "../platform/errors.js";
import { redirectTo } from "./render.js";
import type { CurrentUser } from "./context.js";
import { authFacts } from "./sign-in/session-auth.js";

export function loginUrl(req: Request): string {
  const params = new URLSearchParams();
  if (req.method === "GET") params.set("return_to", req.originalUrl);
  if (req.sessionExpired) params.set("expired", "1");
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (req.currentUser) return next();
  if (req.path.startsWith("/api/")) return next(new AppError(401, "UNAUTHENTICATED", { message: "codes:web.signInFirst" }));
  redirectTo(req, res, loginUrl(req));
}

export function requireInstanceAdmin(req: Request, _res: Response, next: NextFunction) {
  if (req.currentUser?.user.isInstanceAdmin) return next();
  next(new AppError(403, "FORBIDDEN", { message: "codes:web.adminsOnly" }));
}

// Routes behind requireUser can read the signed-in user without null checks.
export function currentUserOf(req: Request): CurrentUser {
  if (!req.currentUser) throw new AppError(401, "UNAUTHENTICATED", { message: "codes:web.signInFirst" });
  return req.currentUser;
}

export function redirectIfSignedIn(req: Request, res: Response, next: NextFunction) {
  if (req.currentUser) return res.redirect(303, "/");
  next();
}

// Same-origin path of the page a POST came from, to return to after step-up.
function refererPath(req: Request): string | undefined {
  const referer = req.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.host === req.headers.host ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

// Sensitive changes need an authentication younger than FRESH_AUTH_MINUTES;
// otherwise the user proves it again on /reauth and comes back here. The
// guard is marked so a test can list every route that carries it.
const freshAuthGuards = new WeakSet<object>();

export function isFreshAuthGuard(handler: unknown): boolean {
  return typeof handler === "function" && freshAuthGuards.has(handler);
}

export function requireFreshAuth(deps: { clock: { now(): Date }; config: { freshAuthMinutes: number } }) {
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const authenticatedAt = authFacts(req).authenticatedAt ?? 0;
    if (deps.clock.now().getTime() - authenticatedAt <= deps.config.freshAuthMinutes * 60_000) return next();
    const returnTo = req.method === "GET" ? req.originalUrl : (refererPath(req) ?? "/settings/security");
    redirectTo(req, res, `/reauth?return_to=${encodeURIComponent(returnTo)}`);
  };
  freshAuthGuards.add(guard);
  return guard;
}
