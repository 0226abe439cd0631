import { Router, type NextFunction, type Request, type Response } from "express";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../web/guards.js";
import { authFacts, destroySession, keepSession } from "../../web/sign-in/session-auth.js";
import { tr } from "../../web/i18n.js";
import { isHtmx, redirectTo, rememberForm, renderFragment, renderPage, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { parseInput } from "../../web/validate.js";
import type { ResetLink } from "./repo.js";
import { createResetThrottle } from "./reset-tokens.js";
import { changePasswordSchema, forgotPasswordSchema, newPasswordSchema, resetTokenParams } from "./schema.js";
import { changePassword, completePasswordReset, inspectResetLink, requestPasswordReset, type ResetLinkState } from "./service.js";

const INVALID_LINK = {
  invalid: { status: 404, heading: "password:invalid.invalidHeading", message: "password:invalid.invalidMessage" },
  expired: { status: 410, heading: "password:invalid.expiredHeading", message: "password:invalid.expiredMessage" },
  used: { status: 410, heading: "password:invalid.usedHeading", message: "password:invalid.usedMessage" },
} as const;

export function passwordRoutes(deps: WebDeps): Router {
  const router = Router();
  const resetThrottle = createResetThrottle(deps.redis, deps.config.redisPrefix);

  router.post("/settings/security/password", requireUser, requireFreshAuth(deps), async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "security", section: "password", fragment: "password/_change-form" });
    const input = parseInput(changePasswordSchema, req.body);
    // A credential change is a privilege change: this session continues
    // under a new id, stamped before the change commits.
    const context = { currentSid: req.sessionID, meta: requestMeta(req), keepSession: keepSession(req, deps) };
    const { signedOutOthers } = await changePassword(deps, currentUserOf(req).user, input, context);
    if (signedOutOthers > 0) setFlash(req, "info", "password:change.doneOthers", { count: signedOutOthers });
    else setFlash(req, "info", "password:change.done");
    redirectTo(req, res, "/settings/security");
  });

  router.get("/forgot-password", (_req, res) => {
    renderPage(res, "password/forgot", { title: "password:forgot.title", values: {}, errors: {}, formError: null });
  });

  router.post("/forgot-password", async (req, res) => {
    rememberForm(res, req, "password/forgot", "password/_forgot-form", { title: "password:forgot.title" });
    const input = parseInput(forgotPasswordSchema, req.body);
    const followUp = await requestPasswordReset(deps, resetThrottle, input, requestMeta(req));
    if (followUp) {
      res.once("close", () => void followUp().catch((err: unknown) => deps.logger.error({ err }, "password reset link not delivered")));
    }
    renderPageOrFragment(req, res, "password/forgot-sent", "password/_forgot-sent", { title: "password:forgot.sentTitle" });
  });

  // The path holds the token: the error handler logs token-like path
  // segments as [redacted] (loggablePath).
  router.get("/reset-password/:token", noStore, async (req, res) => {
    const { token } = parseInput(resetTokenParams, req.params);
    const state = await inspectResetLink(deps, resetThrottle, token, requestMeta(req));
    if (!state.usable) return renderInvalidLink(req, res, state);
    renderPage(res, "password/reset", { ...resetPageData(token, state.link), values: {}, errors: {}, formError: null });
  });

  router.post("/reset-password/:token", noStore, async (req, res) => {
    const { token } = parseInput(resetTokenParams, req.params);
    const state = await inspectResetLink(deps, resetThrottle, token, requestMeta(req));
    // htmx cannot swap an error page into the form: reload the link instead.
    if (!state.usable) return isHtmx(req) ? redirectTo(req, res, `/reset-password/${token}`) : renderInvalidLink(req, res, state);
    rememberForm(res, req, "password/reset", "password/_reset-form", resetPageData(token, state.link));
    const input = parseInput(newPasswordSchema, req.body);
    await completePasswordReset(deps, token, state.link, input, requestMeta(req));
    // Never signs anyone in: the link proves control of the mailbox, not of
    // the account's other factors. Signing in goes through /login, so a
    // second step (2FA) can never be bypassed by resetting the password.
    // If this browser was signed into that account, its session just ended
    // (the credential epoch moved): drop it here too, so the flash lands in a
    // fresh one. Best effort: the reset is done either way.
    if (authFacts(req).userId === state.link.user.id) {
      await destroySession(req, deps).catch((error: Error) => deps.logger.warn({ err: error.message }, "session of a reset account left to expire"));
    }
    setFlash(req, "info", "password:reset.done");
    redirectTo(req, res, "/login");
  });

  return router;
}

// A page reached through a secret link is not kept by browsers or proxies.
function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Cache-Control", "no-store");
  next();
}

function resetPageData(token: string, link: ResetLink) {
  return { title: "password:reset.title", token, account: { username: link.user.username } };
}

function renderInvalidLink(req: Request, res: Response, state: Extract<ResetLinkState, { usable: false }>): void {
  const page = INVALID_LINK[state.reason];
  const heading = tr(req, page.heading);
  renderPage(res, "password/reset-invalid", { title: heading, heading, message: tr(req, page.message) }, page.status);
}

function renderPageOrFragment(req: Request, res: Response, page: string, fragment: string, data: Record<string, unknown>): void {
  if (isHtmx(req)) renderFragment(res, fragment, data);
  else renderPage(res, page, data);
}
