import { Router } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { redirectIfSignedIn } from "../../platform/auth/guards.js";
import { destroySession, requestMeta, signIn } from "../../platform/auth/session-auth.js";
import { redirectTo, rememberForm, renderPage, safeReturnTo } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { secondStepFor, sendLoginCode } from "../two-factor/login-challenge.js";
import { completeSignIn } from "./complete-sign-in.js";
import { loginSchema, registerSchema } from "./schema.js";
import { authenticate, registerUser } from "./service.js";
import { createRegistrationLimit } from "./throttle.js";

const loginQuerySchema = z.object({ return_to: z.string().optional(), expired: z.string().optional() });

export function authRoutes(deps: WebDeps): Router {
  const router = Router();
  const registrationLimit = createRegistrationLimit(deps.redis, deps.config.redisPrefix);

  router.get("/register", redirectIfSignedIn, (_req, res) => renderPage(res, "auth/register", { values: {}, errors: {} }));

  router.post("/register", async (req, res) => {
    rememberForm(res, req, "auth/register", "auth/_register-form");
    await registrationLimit.consume(requestMeta(req).ip);
    const input = parseInput(registerSchema, req.body);
    const user = await registerUser(deps, input, requestMeta(req));
    await signIn(req, deps, user.id, undefined);
    redirectTo(req, res, "/workspaces/new?first=1");
  });

  router.get("/login", redirectIfSignedIn, (req, res) => {
    const query = parseInput(loginQuerySchema, req.query);
    renderPage(res, "auth/login", {
      values: { return_to: safeReturnTo(query.return_to, "") },
      errors: {},
      formError: null,
      notice: query.expired ? "Your session expired. Sign in again to continue." : null,
    });
  });

  router.post("/login", async (req, res) => {
    rememberForm(res, req, "auth/login", "auth/_login-form", { notice: null });
    const input = parseInput(loginSchema, req.body);
    const user = await authenticate(deps, input, requestMeta(req));
    const method = secondStepFor(user);
    if (!method) return completeSignIn(deps, req, res, user, input.return_to, "password");
    // Password correct, second step pending: nothing is signed in yet.
    req.session.loginChallenge = { userId: user.id, method, wrongAttempts: 0, startedAt: deps.clock.now().getTime(), returnTo: safeReturnTo(input.return_to, "/") };
    if (method !== "totp") await sendLoginCode(deps, user, method);
    redirectTo(req, res, "/login/verify");
  });

  router.post("/logout", async (req, res) => {
    const userId = req.session.userId;
    await destroySession(req, deps);
    if (userId) await deps.audit({ action: "auth.signed_out", actorId: userId, subjectId: userId }, req);
    res.clearCookie(deps.sessionCookieName, { path: "/" });
    redirectTo(req, res, "/login");
  });

  return router;
}
