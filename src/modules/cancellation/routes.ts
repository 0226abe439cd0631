import { Router, type Request } from "express";
import { requestMeta } from "../../web/context.js";
import { localeOf } from "../../web/i18n.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { cancellationPolicy } from "./policy.js";
import { presentCloseBy, presentMethods, presentOwned } from "./presenter.js";
import { confirmSchema, deleteWorkspaceSchema, sendCodeSchema, statusParams, verifySchema } from "./schema.js";
import * as service from "./service.js";
import { cancellationVerifiedSlot } from "./slots.js";

const PAGE = "cancellation/page";

// /settings/account: the cancellation wizard (verify → ownership check →
// what will be lost → agree and confirm), and the public status page.
export function cancellationRoutes(deps: WebDeps): Router {
  const router = Router();

  function isVerified(req: Request): boolean {
    const user = currentUserOf(req).user;
    const slot = cancellationVerifiedSlot.get(req);
    return slot?.userId === user.id && cancellationPolicy.verificationValid(slot.at, deps.clock.now().getTime(), service.VERIFICATION_MINUTES);
  }

  async function wizardPage(req: Request) {
    const user = currentUserOf(req).user;
    service.assertMayCancel(user);
    const base = { title: "cancellation:pages.title", username: user.username, methods: presentMethods(cancellationPolicy.verifyMethods(user)) };
    if (!isVerified(req)) return { ...base, step: "verify" };
    const state = await service.wizardState(deps, user);
    if (state.owned.length > 0) return { ...base, step: "owner", owned: presentOwned(state.owned) };
    return { ...base, step: "confirm", loss: state.loss, ticketsCloseBy: presentCloseBy(state.ticketsCloseBy, deps.config.businessTimeZone, localeOf(req)) };
  }
  const blank = { values: {}, errors: {}, formError: null };

  router.get("/settings/account", requireUser, async (req, res) => {
    renderPage(res, PAGE, { ...blank, ...(await wizardPage(req)) });
  });

  router.post("/settings/account/code", requireUser, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, PAGE, "cancellation/_verify-form", () => wizardPage(req));
    const { channel } = parseInput(sendCodeSchema, req.body);
    await service.sendVerificationCode(deps, user, channel);
    setFlash(req, "info", channel === "email" ? "A code was sent to your email address." : "A code was sent to your phone.");
    redirectTo(req, res, "/settings/account");
  });

  router.post("/settings/account/verify", requireUser, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, PAGE, "cancellation/_verify-form", () => wizardPage(req));
    const input = parseInput(verifySchema, req.body);
    await service.verifyIdentity(deps, user, input);
    cancellationVerifiedSlot.set(req, { userId: user.id, at: deps.clock.now().getTime() });
    redirectTo(req, res, "/settings/account");
  });

  router.post("/settings/account/cancel", requireUser, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, PAGE, "cancellation/_confirm-form", () => wizardPage(req));
    service.assertMayCancel(user);
    // Back button or an expired verification: start again at step 1.
    if (!isVerified(req)) return redirectTo(req, res, "/settings/account");
    const input = parseInput(confirmSchema, req.body);
    const status = await service.cancelAccount(deps, user, input, requestMeta(req));
    redirectTo(req, res, status);
  });

  // Deleting a workspace asks first (web/confirm.ts).
  const confirmDeleteWorkspace = requireConfirmation({
    title: "cancellation:deleteWorkspace.title",
    message: "cancellation:deleteWorkspace.message",
    confirmLabel: "cancellation:deleteWorkspace.confirm",
    cancelUrl: "/settings/account",
  });

  router.post("/settings/account/workspaces/delete", requireUser, confirmDeleteWorkspace, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, PAGE, "cancellation/_owner-step", () => wizardPage(req));
    service.assertMayCancel(user);
    if (!isVerified(req)) return redirectTo(req, res, "/settings/account");
    const input = parseInput(deleteWorkspaceSchema, req.body);
    const name = await service.deleteSoleWorkspace(deps, user, input, requestMeta(req));
    setFlash(req, "info", `${name} was deleted.`);
    redirectTo(req, res, "/settings/account");
  });

  // Public (the account can no longer sign in); the link is an HMAC of the id.
  router.get("/account-cancelled/:userId/:token", async (req, res) => {
    const { userId, token } = parseInput(statusParams, req.params);
    const status = await service.cancellationStatus(deps, userId, token);
    renderPage(res, "cancellation/status", { title: "cancellation:pages.cancelledTitle", status });
  });

  return router;
}
