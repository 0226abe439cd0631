import type { NextFunction, Request, Response } from "express";
import { redirectTo, setFlash } from "../../platform/http/render.js";
import { isTwoFactorEnabled } from "./service.js";

const SETUP = "/settings/security/two-factor/setup";
// What a member without 2FA may still reach: enrolment itself, step-up for
// it, switching to another workspace and signing out.
const ALLOWED = [SETUP, "/reauth", "/logout", "/workspaces/switch", "/workspaces"];

// A workspace that requires two-factor authentication: a member signed into
// it without 2FA must enrol before anything else.
export function requireWorkspaceTwoFactor(req: Request, res: Response, next: NextFunction) {
  const current = req.currentUser;
  if (!current?.activeMembership?.workspace.requireTwoFactor || isTwoFactorEnabled(current.user)) return next();
  if (ALLOWED.includes(req.path)) return next();
  setFlash(req, "error", `${current.activeMembership.workspace.name} requires two-factor authentication. Set it up to continue.`);
  redirectTo(req, res, SETUP);
}
