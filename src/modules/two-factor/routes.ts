import { Router, type Request, type Response } from "express";
import QRCode from "qrcode";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { tr } from "../../web/i18n.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { keepSession } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import type { User } from "../users/index.js";
import { TWO_FACTOR_SETUP_PATH } from "./requirement.js";
import { enrolmentSchema, loginVerificationSchema, secondFactorSchema } from "./schema.js";
import { beginEnrolment, confirmEnrolment, disableTwoFactor, enrolmentView, isTwoFactorEnabled, regenerateBackupCodes, startReenrolment } from "./service.js";
import { pendingLoginVerification, pendingTotpSecret, signedInWithBackupCode } from "./slots.js";
import { chooseLoginVerification, resendSwitchCode } from "./verification-switch.js";

const SECURITY = "/settings/security";

export function twoFactorRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);

  async function setupPage(req: Request, user: User) {
    let sealed = pendingTotpSecret.get(req);
    if (!sealed) pendingTotpSecret.set(req, (sealed = beginEnrolment(deps)));
    const { secret, uri } = enrolmentView(deps, user, sealed);
    return { title: "two-factor:setup.title", secret: secret.match(/.{1,4}/g)!.join(" "), uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
  }

  // Shown once, in the response that created them; nothing can show them again.
  function showBackupCodes(req: Request, res: Response, codes: string[], justEnabled: boolean) {
    res.setHeader("Cache-Control", "no-store");
    renderPage(res, "two-factor/backup-codes", { title: "two-factor:backupCodes.title", codes, justEnabled, download: `data:text/plain;charset=utf-8,${encodeURIComponent(tr(req, "two-factor:backupCodes.file", { codes: codes.join("\n") }))}` });
  }

  router.get(TWO_FACTOR_SETUP_PATH, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    if (isTwoFactorEnabled(user)) return res.redirect(303, SECURITY);
    renderPage(res, "two-factor/setup", { ...(await setupPage(req, user)), values: {}, errors: {}, formError: null });
  });

  router.post(TWO_FACTOR_SETUP_PATH, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    rememberForm(res, req, "two-factor/setup", "two-factor/_setup-form", () => setupPage(req, user));
    const { code } = parseInput(enrolmentSchema, req.body);
    const codes = await confirmEnrolment(deps, user, pendingTotpSecret.get(req), code, requestMeta(req), keepSession(req, deps));
    pendingTotpSecret.clear(req);
    showBackupCodes(req, res, codes, true);
  });

  // Voiding codes and removing a factor ask first (web/confirm.ts).
  const confirmNewBackupCodes = requireConfirmation({
    title: "two-factor:section.regenerateTitle",
    message: "two-factor:section.regenerateMessage",
    confirmLabel: "two-factor:section.regenerate",
    cancelUrl: SECURITY,
  });
  const confirmDisable = requireConfirmation({
    title: "two-factor:section.turnOffTitle",
    message: "two-factor:section.turnOffMessage",
    confirmLabel: "two-factor:section.turnOff",
    cancelUrl: SECURITY,
  });

  router.post(`${SECURITY}/two-factor/backup-codes`, requireUser, fresh, confirmNewBackupCodes, async (req, res) => {
    const codes = await regenerateBackupCodes(deps, currentUserOf(req).user, requestMeta(req));
    showBackupCodes(req, res, codes, false);
  });

  // The current code (or a backup code) is itself the fresh proof here.
  router.post(`${SECURITY}/two-factor/disable`, requireUser, confirmDisable, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "security", section: "two-factor", fragment: "two-factor/_disable-form" });
    const input = parseInput(secondFactorSchema, req.body);
    const proof = "backupCode" in input ? ({ kind: "backup", code: input.backupCode } as const) : ({ kind: "totp", code: input.code } as const);
    await disableTwoFactor(deps, currentUserOf(req).user, proof, requestMeta(req), keepSession(req, deps));
    setFlash(req, "info", "two-factor:section.turnedOff");
    redirectTo(req, res, SECURITY);
  });

  router.post(`${SECURITY}/two-factor/reenrol`, requireUser, fresh, async (req, res) => {
    await startReenrolment(deps, currentUserOf(req).user, Boolean(signedInWithBackupCode.get(req)), requestMeta(req));
    signedInWithBackupCode.clear(req);
    pendingTotpSecret.clear(req);
    redirectTo(req, res, TWO_FACTOR_SETUP_PATH);
  });

  router.post(`${SECURITY}/login-verification`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "security", section: "two-factor", fragment: "two-factor/_login-verification-form" });
    const input = parseInput(loginVerificationSchema, req.body);
    const outcome = await chooseLoginVerification(deps, currentUserOf(req).user, input, pendingLoginVerification.get(req), requestMeta(req));
    if (!outcome.switched) {
      // The code step: the security page shows it from the session.
      pendingLoginVerification.set(req, outcome.pending);
      return redirectTo(req, res, `${SECURITY}#two-factor`);
    }
    pendingLoginVerification.clear(req);
    setFlash(req, "info", "two-factor:verification.saved");
    redirectTo(req, res, SECURITY);
  });

  router.post(`${SECURITY}/login-verification/resend`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "security", section: "two-factor", fragment: "two-factor/_login-verification-form" });
    pendingLoginVerification.set(req, await resendSwitchCode(deps, currentUserOf(req).user, pendingLoginVerification.get(req)));
    redirectTo(req, res, `${SECURITY}#two-factor`);
  });

  router.post(`${SECURITY}/login-verification/cancel`, requireUser, (req, res) => {
    pendingLoginVerification.clear(req);
    redirectTo(req, res, `${SECURITY}#two-factor`);
  });

  return router;
}
