import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { AppError } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { localeOf, tr } from "../../web/i18n.js";
import type { Translate } from "../../platform/i18n.js";
import { redirectIfSignedIn } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, safeReturnTo, setFlash } from "../../web/render.js";
import { parseFactorInput, type AuthMethod } from "../../web/sign-in/auth-method.js";
import { authFacts, destroySession, establishSession } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { recordEvent } from "../audit/index.js";
import { isRegistrationOpen } from "../instance-settings/index.js";
import { adoptBrowserTimeZone } from "../profile/index.js";
import { passwordMethod } from "./auth-method.js";
import { authEvents } from "./events.js";
import { createRegistrationLimit } from "./registration-limit.js";
import { registerSchema } from "./schema.js";
import { registerUser } from "./service.js";
import { afterFirstFactor, answerSecondStep, endSecondStep, loadSecondStep, methodForAnswer, resendSecondStep, type SecondStep } from "./sign-in.js";

const loginQuerySchema = z.object({ return_to: z.string().optional(), expired: z.string().optional() });
const returnToBody = z.object({ return_to: z.string().max(2000).optional(), timeZone: z.string().max(64).optional() });

// The second step's page: the chosen method's form, and links to the others
// the account has ("/login/verify?backup=1").
function verifyView(step: SecondStep, method: AuthMethod, t: Translate) {
  const factor = method.secondFactor!;
  return {
    challenge: { method: method.id, prompt: factor.prompt(step.user, t), fields: factor.fields, canResend: Boolean(factor.begin) },
    // Methods that send a code are started by the sign-in itself (the first
    // available one), so the others offered here are those that need no send.
    alternatives: step.methods
      .filter((other) => other !== method && !other.secondFactor!.begin)
      .map((other) => ({ href: `/login/verify?${other.id}=1`, text: t([`auth:verify.useInstead.${other.id}`, "auth:verify.useInstead.other"] as unknown as string, { method: t(other.label) }) })),
  };
}

export function authRoutes(deps: WebDeps): Router {
  const router = Router();
  const registrationLimit = createRegistrationLimit(deps.redis, deps.config.redisPrefix);

  // Instance administrators can close self-service registration; invitations
  // (modules/invitations) still create accounts for their invited address.
  async function assertRegistrationOpen() {
    if (!(await isRegistrationOpen(deps.db))) {
      throw new AppError(403, "REGISTRATION_CLOSED", { message: "auth:errors.registrationClosed" });
    }
  }

  router.get("/register", redirectIfSignedIn, async (_req, res) => {
    await assertRegistrationOpen();
    renderPage(res, "auth/register", { values: {}, errors: {} });
  });

  router.post("/register", async (req, res) => {
    await assertRegistrationOpen();
    rememberForm(res, req, "auth/register", "auth/_register-form");
    await registrationLimit.consume(requestMeta(req).ip);
    const input = parseInput(registerSchema, req.body);
    const user = await registerUser(deps, input, requestMeta(req));
    await establishSession(req, deps, { userId: user.id, workspace: undefined, factors: [passwordMethod.id], multiFactor: false });
    await adoptBrowserTimeZone(deps.db, user, (req.body as Record<string, unknown>).timeZone);
    redirectTo(req, res, "/workspaces/new?first=1");
  });

  router.get("/login", redirectIfSignedIn, (req, res) => {
    const query = parseInput(loginQuerySchema, req.query);
    renderPage(res, "auth/login", {
      values: { return_to: safeReturnTo(query.return_to, "") },
      errors: {},
      formError: null,
      notice: query.expired ? tr(req, "auth:login.expired") : null,
      signInMethods: deps.authMethods.signInViews(deps),
    });
  });

  router.post("/login", async (req, res) => {
    rememberForm(res, req, "auth/login", "auth/_login-form", { notice: null, signInMethods: deps.authMethods.signInViews(deps) });
    const user = await passwordMethod.firstFactor!.identify!({ deps, meta: requestMeta(req), sessionId: req.sessionID }, req.body as Record<string, string>);
    const { return_to, timeZone } = parseInput(returnToBody, req.body);
    await afterFirstFactor(deps, req, res, user, passwordMethod, return_to, { browserTimeZone: timeZone });
  });

  // A challenge that is gone or failed sends the browser back to the password.
  function backToPassword(req: Request, res: Response, message: string) {
    endSecondStep(req);
    setFlash(req, "error", message);
    redirectTo(req, res, "/login");
  }

  // The second step, or undefined after sending the browser back to the password.
  async function loadOrRestart(req: Request, res: Response) {
    try {
      return await loadSecondStep(deps, req);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return void backToPassword(req, res, error.message);
      throw error;
    }
  }

  router.get("/login/verify", redirectIfSignedIn, async (req, res) => {
    const step = await loadOrRestart(req, res);
    if (!step) return;
    const chosen = step.methods.find((method) => req.query[method.id] === "1") ?? step.methods[0]!;
    renderPage(res, "auth/verify", { ...verifyView(step, chosen, localeOf(req).t), values: {}, errors: {}, formError: null });
  });

  router.post("/login/verify", redirectIfSignedIn, async (req, res) => {
    const step = await loadOrRestart(req, res);
    if (!step) return;
    const method = methodForAnswer(step, req.body as Record<string, string>);
    rememberForm(res, req, "auth/verify", "auth/_verify-form", verifyView(step, method, localeOf(req).t));
    const input = parseFactorInput(method.secondFactor!.fields, req.body);
    try {
      await answerSecondStep(deps, req, res, step, method, input);
    } catch (error) {
      if (error instanceof AppError && error.code === "CHALLENGE_FAILED") return backToPassword(req, res, error.message);
      throw error;
    }
  });

  router.post("/login/verify/resend", async (req, res) => {
    const step = await loadSecondStep(deps, req);
    const method = step.methods[0]!;
    rememberForm(res, req, "auth/verify", "auth/_verify-form", verifyView(step, method, localeOf(req).t));
    if (await resendSecondStep(deps, req, step, method)) setFlash(req, "info", "auth:verify.sentNewCode");
    redirectTo(req, res, "/login/verify");
  });

  router.post("/logout", async (req, res) => {
    const userId = authFacts(req).userId;
    await destroySession(req, deps);
    if (userId) await recordEvent(deps.db, authEvents.signedOut(userId), requestMeta(req), deps.clock.now());
    res.clearCookie(deps.sessionCookieName, { path: "/" });
    redirectTo(req, res, "/login");
  });

  return router;
}
