import { Router, type Request } from "express";
import { z } from "zod";
import { AppError, notFound } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { liveChallenge } from "../../web/sign-in/challenge.js";
import { parseInput } from "../../web/validate.js";
import { afterFirstFactor } from "../auth/index.js";
import { findUserById } from "../users/index.js";
import { passkeyMethod } from "./auth-method.js";
import { credentialBody, nameBody, passkeyParams, renameBody } from "./schema.js";
import { assertionOptions, beginRegistration, finishRegistration, removeOwnPasskey, renameOwnPasskey, verifyAssertion } from "./service.js";

const SECURITY = "/settings/security";
const purposeParams = z.object({ purpose: z.enum(["sign-in", "second-factor", "reauth"]) });

export function passkeyRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);
  const section = (fragment: string) => ({ page: "security" as const, section: "passkeys", fragment });

  // Only the signed-in user registers passkeys, for their own account.
  router.post(`${SECURITY}/passkeys/new`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, section("passkeys/_register-form"));
    const { name } = parseInput(nameBody, req.body);
    const options = await beginRegistration(deps, currentUserOf(req).user, name, req.sessionID);
    renderPage(res, "passkeys/register", { title: "passkeys:register.title", name, options: JSON.stringify(options), values: {}, errors: {}, formError: null });
  });

  router.post(`${SECURITY}/passkeys`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, section("passkeys/_register-form"));
    const { credential } = parseInput(credentialBody, req.body);
    const passkey = await finishRegistration(deps, currentUserOf(req).user, credential, req.sessionID, requestMeta(req));
    setFlash(req, "info", "passkeys:flash.added", { name: passkey.name });
    redirectTo(req, res, `${SECURITY}#passkeys`);
  });

  router.post(`${SECURITY}/passkeys/:id/rename`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, section("passkeys/_section"));
    const { id } = parseInput(passkeyParams, req.params);
    const { newName } = parseInput(renameBody, req.body);
    await renameOwnPasskey(deps, currentUserOf(req).user, id, newName, requestMeta(req));
    setFlash(req, "info", "passkeys:flash.renamed", { name: newName });
    redirectTo(req, res, `${SECURITY}#passkeys`);
  });

  // Removing a factor asks first (web/confirm.ts).
  const confirmRemove = requireConfirmation({
    title: "passkeys:flash.removeTitle",
    message: "passkeys:section.removeMessage",
    confirmLabel: "passkeys:section.removeLabel",
    cancelUrl: `${SECURITY}#passkeys`,
  });

  router.post(`${SECURITY}/passkeys/:id/delete`, requireUser, fresh, confirmRemove, async (req, res) => {
    rememberSectionForm(deps, req, res, section("passkeys/_section"));
    const { id } = parseInput(passkeyParams, req.params);
    const removed = await removeOwnPasskey(deps, currentUserOf(req).user, id, requestMeta(req));
    setFlash(req, "info", "passkeys:flash.removed", { name: removed.name });
    redirectTo(req, res, `${SECURITY}#passkeys`);
  });

  // The options of an assertion ceremony, as JSON for public/js/passkeys.js:
  // for sign-in any passkey of this site; for the second step the pending
  // account's; for step-up the signed-in account's.
  router.post("/passkeys/options/:purpose", async (req, res) => {
    const { purpose } = parseInput(purposeParams, req.params);
    const user = await accountFor(deps, req, purpose);
    res.setHeader("Cache-Control", "no-store");
    res.json(await assertionOptions(deps, purpose, req.sessionID, user));
  });

  // Passwordless sign-in: the passkey is the whole proof (it counts as two
  // factors), so the pipeline signs in without a second step. Failures are
  // not throttled like passwords: an answer cannot be guessed (it is a
  // signature over a single-use challenge), so there is nothing to slow down.
  router.post("/login/passkey", async (req, res) => {
    rememberForm(res, req, "auth/login", "auth/_login-form", { notice: null, signInMethods: deps.authMethods.signInViews(deps) });
    const { credential, return_to } = parseInput(credentialBody, req.body);
    const user = await verifyAssertion(deps, "sign-in", req.sessionID, credential, requestMeta(req)).catch((error: unknown) => {
      if (!(error instanceof AppError && error.status === 422)) throw error;
      // Shown above the sign-in form, which has no passkey field.
      throw new AppError(401, error.code, { message: error.message });
    });
    await afterFirstFactor(deps, req, res, user, passkeyMethod, return_to);
  });

  return router;
}

async function accountFor(deps: WebDeps, req: Request, purpose: "sign-in" | "second-factor" | "reauth") {
  if (purpose === "sign-in") return null;
  if (purpose === "reauth") {
    if (!req.currentUser) throw new AppError(401, "UNAUTHENTICATED", { message: "passkeys:errors.signInFirst" });
    return req.currentUser.user;
  }
  const pending = liveChallenge(req, deps.clock.now().getTime());
  const user = await findUserById(deps.db, pending.userId);
  if (!user) throw notFound();
  return user;
}
