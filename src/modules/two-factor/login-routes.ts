import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { redirectIfSignedIn } from "../../platform/auth/guards.js";
import { requestMeta } from "../../platform/auth/session-auth.js";
import { AppError } from "../../platform/errors.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { codeField } from "../codes/schema.js";
import { completeSignIn } from "../auth/complete-sign-in.js";
import { findUserById } from "../users/repo.js";
import { answerChallenge, assertChallengeLive, sendLoginCode, type LoginChallenge } from "./login-challenge.js";
import { maskEmail, maskPhone } from "../contact/service.js";
import { backupCodesWarning } from "./service.js";

declare module "express-session" {
  interface SessionData {
    loginChallenge: LoginChallenge;
    // Set after a sign-in with a backup code: offers re-enrolment right away.
    signedInWithBackupCode: boolean;
  }
}

const verifyQuery = z.object({ backup: z.string().optional() });
const proofBody = z.union([
  z.object({ backupCode: z.string().trim().min(1, "Enter a backup code.").max(40, "That is not a backup code.") }),
  z.object({ code: codeField }),
]);

export function loginChallengeRoutes(deps: WebDeps): Router {
  const router = Router();

  async function load(req: Request) {
    const challenge = assertChallengeLive(req.session.loginChallenge, deps.clock.now().getTime());
    const user = await findUserById(deps.db, challenge.userId);
    if (!user || user.status !== "active") throw new AppError(401, "CHALLENGE_EXPIRED", { message: "Your sign-in expired. Enter your password again." });
    return { challenge, user };
  }

  function viewOf(challenge: LoginChallenge, user: { email: string; phone: string | null }, useBackup: boolean) {
    return {
      method: challenge.method,
      useBackup: useBackup && challenge.method === "totp",
      destination: challenge.method === "email" ? maskEmail(user.email) : challenge.method === "sms" ? maskPhone(user.phone ?? "") : null,
    };
  }

  // A challenge that is gone or failed sends the browser back to the password.
  function backToPassword(req: Request, res: Response, message: string) {
    delete req.session.loginChallenge;
    setFlash(req, "error", message);
    redirectTo(req, res, "/login");
  }

  // The challenge, or null after sending the browser back to the password.
  async function loadOrRestart(req: Request, res: Response) {
    try {
      return await load(req);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return void backToPassword(req, res, error.message);
      throw error;
    }
  }

  router.get("/login/verify", redirectIfSignedIn, async (req, res) => {
    const loaded = await loadOrRestart(req, res);
    if (!loaded) return;
    const { backup } = parseInput(verifyQuery, req.query);
    renderPage(res, "two-factor/verify", { challenge: viewOf(loaded.challenge, loaded.user, Boolean(backup)), values: {}, errors: {}, formError: null });
  });

  router.post("/login/verify", redirectIfSignedIn, async (req, res) => {
    const loaded = await loadOrRestart(req, res);
    if (!loaded) return;
    const { challenge, user } = loaded;
    const input = parseInput(proofBody, req.body);
    rememberForm(res, req, "two-factor/verify", "two-factor/_verify-form", { challenge: viewOf(challenge, user, "backupCode" in input) });
    const proof = "backupCode" in input ? ({ kind: "backup", code: input.backupCode } as const) : challenge.method === "totp" ? ({ kind: "totp", code: input.code } as const) : ({ kind: "code", code: input.code } as const);
    let result;
    try {
      result = await answerChallenge(deps, challenge, user, proof, requestMeta(req));
    } catch (error) {
      if (error instanceof AppError && error.code === "CHALLENGE_FAILED") {
        await deps.audit({ action: "auth.second_step_failed", subjectId: user.id, details: { method: challenge.method } }, req);
        return backToPassword(req, res, error.message);
      }
      throw error;
    }
    const warning = backupCodesWarning(result.backupCodesLeft);
    await completeSignIn(deps, req, res, user, challenge.returnTo, result.usedBackupCode ? "backup_code" : challenge.method, () => {
      if (!result.usedBackupCode) return;
      req.session.signedInWithBackupCode = true;
      setFlash(req, warning ? "error" : "info", `Signed in with a backup code. ${result.backupCodesLeft} left.${warning ? ` ${warning}` : ""} Lost your authenticator? Set it up again under Security.`);
    });
  });

  router.post("/login/verify/resend", async (req, res) => {
    const { challenge, user } = await load(req);
    if (challenge.method === "totp") return redirectTo(req, res, "/login/verify");
    rememberForm(res, req, "two-factor/verify", "two-factor/_verify-form", { challenge: viewOf(challenge, user, false) });
    await sendLoginCode(deps, user, challenge.method);
    setFlash(req, "info", "We sent a new code.");
    redirectTo(req, res, "/login/verify");
  });

  return router;
}
