import { Router, type Request, type Response } from "express";
import QRCode from "qrcode";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../platform/auth/guards.js";
import { requestMeta, rotateSessionId } from "../../platform/auth/session-auth.js";
import { AppError } from "../../platform/errors.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { loadSecurityPage } from "../settings/security-page.js";
import type { User } from "../users/tables.js";
import { clearTotp, setLoginVerification } from "./repo.js";
import { enrolmentSchema, loginVerificationSchema, secondFactorSchema } from "./schema.js";
import { presentLoginVerification } from "./presenter.js";
import { beginEnrolment, confirmEnrolment, disableTwoFactor, enrolmentView, isTwoFactorEnabled, regenerateBackupCodes } from "./service.js";
import { recordAudit } from "../audit/service.js";

declare module "express-session" {
  interface SessionData {
    pendingTotpSecret: string;
  }
}

const SECURITY = "/settings/security";

export function twoFactorRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);

  async function setupPage(req: Request, user: User) {
    req.session.pendingTotpSecret ??= beginEnrolment(deps);
    const { secret, uri } = enrolmentView(deps, user, req.session.pendingTotpSecret);
    return { title: "Set up two-factor authentication", secret: secret.match(/.{1,4}/g)!.join(" "), uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
  }

  // Shown once, in the response that created them; nothing can show them again.
  function showBackupCodes(res: Response, codes: string[], justEnabled: boolean) {
    res.setHeader("Cache-Control", "no-store");
    renderPage(res, "two-factor/backup-codes", { title: "Backup codes", codes, justEnabled, download: `data:text/plain;charset=utf-8,${encodeURIComponent(`Latchkey backup codes\n\n${codes.join("\n")}\n\nEach code works once.\n`)}` });
  }

  router.get(`${SECURITY}/two-factor/setup`, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    if (isTwoFactorEnabled(user)) return res.redirect(303, SECURITY);
    renderPage(res, "two-factor/setup", { ...(await setupPage(req, user)), values: {}, errors: {}, formError: null });
  });

  router.post(`${SECURITY}/two-factor/setup`, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    rememberForm(res, req, "two-factor/setup", "two-factor/_setup-form", () => setupPage(req, user));
    const { code } = parseInput(enrolmentSchema, req.body);
    const codes = await confirmEnrolment(deps, user, req.session.pendingTotpSecret, code, requestMeta(req));
    delete req.session.pendingTotpSecret;
    // A new factor is a privilege change: new session id.
    await rotateSessionId(req, deps);
    showBackupCodes(res, codes, true);
  });

  router.post(`${SECURITY}/two-factor/backup-codes`, requireUser, fresh, async (req, res) => {
    const codes = await regenerateBackupCodes(deps, currentUserOf(req).user, requestMeta(req));
    showBackupCodes(res, codes, false);
  });

  // The current code (or a backup code) is itself the fresh proof here.
  router.post(`${SECURITY}/two-factor/disable`, requireUser, async (req, res) => {
    rememberForm(res, req, "security/page", "two-factor/_disable-form", () => loadSecurityPage(deps, req));
    const input = parseInput(secondFactorSchema, req.body);
    const proof = "backupCode" in input ? ({ kind: "backup", code: input.backupCode } as const) : ({ kind: "totp", code: input.code } as const);
    await disableTwoFactor(deps, currentUserOf(req).user, proof, requestMeta(req));
    await rotateSessionId(req, deps);
    setFlash(req, "info", "Two-factor authentication is off.");
    redirectTo(req, res, SECURITY);
  });

  // After signing in with a backup code because the device is lost: set the
  // authenticator up again without a code from the old device.
  router.post(`${SECURITY}/two-factor/reenrol`, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    if (!req.session.signedInWithBackupCode) throw new AppError(403, "REENROL_NEEDS_BACKUP_SIGN_IN", { message: "Sign in with a backup code first, or turn two-factor authentication off with a current code." });
    await deps.db.transaction(async (tx) => {
      await clearTotp(tx, user.id, deps.clock.now());
      await recordAudit(tx, { action: "two_factor.reset_by_user", actorId: user.id, subjectId: user.id }, requestMeta(req));
    });
    delete req.session.signedInWithBackupCode;
    delete req.session.pendingTotpSecret;
    redirectTo(req, res, `${SECURITY}/two-factor/setup`);
  });

  router.post(`${SECURITY}/login-verification`, requireUser, fresh, async (req, res) => {
    const { user } = currentUserOf(req);
    rememberForm(res, req, "security/page", "two-factor/_login-verification-form", () => loadSecurityPage(deps, req));
    const { method } = parseInput(loginVerificationSchema, req.body);
    const option = presentLoginVerification(user).find((candidate) => candidate.id === method)!;
    if (!option.available) throw new AppError(422, "LOGIN_VERIFICATION_UNAVAILABLE", { field: "method", message: option.reason! });
    if (!isTwoFactorEnabled(user)) {
      await setLoginVerification(deps.db, user.id, method, deps.clock.now());
      await deps.audit({ action: "two_factor.login_verification_changed", actorId: user.id, subjectId: user.id, details: { method } }, req);
    }
    setFlash(req, "info", "Sign-in verification saved.");
    redirectTo(req, res, SECURITY);
  });

  return router;
}
