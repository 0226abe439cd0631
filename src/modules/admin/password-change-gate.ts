import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../../platform/deps.js";
import { redirectTo, setFlash } from "../../web/render.js";
import { sessionSlot } from "../../web/session/slots.js";
import { passwordChangeRequiredSince } from "./repo.js";

// Looked up once per session and remembered here; whether it is met is then
// read from the user row every request loads anyway (password_changed_at).
const requiredSlot = sessionSlot<{ userId: string; since: number | null }>("passwordChangeRequired");

// Where an account that must choose its password may still go (the page
// and its form, step-up, sign-out, its own avatar in the header; the API
// answers tokens, which only a signed-in person could have made).
const ALLOWED = [/^\/settings\/security(\/password)?$/, /^\/reauth$/, /^\/logout$/, /^\/avatars\//, /^\/api\//];

// "Must change the password at next sign-in" (set when an administrator
// creates an account): until the account has a password newer than the
// requirement, every page sends it to the password form.
export function passwordChangeGate(deps: Pick<Deps, "db">) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const current = req.currentUser;
    if (!current) return next();
    let state = requiredSlot.get(req);
    if (!state || state.userId !== current.user.id) {
      const since = await passwordChangeRequiredSince(deps.db, current.user.id);
      state = { userId: current.user.id, since: since?.getTime() ?? null };
      requiredSlot.set(req, state);
    }
    if (state.since === null) return next();
    if ((current.user.passwordChangedAt?.getTime() ?? 0) > state.since) {
      requiredSlot.set(req, { userId: current.user.id, since: null });
      return next();
    }
    if (ALLOWED.some((pattern) => pattern.test(req.path))) return next();
    setFlash(req, "error", "admin:flash.chooseOwn");
    redirectTo(req, res, "/settings/security#password");
  };
}
