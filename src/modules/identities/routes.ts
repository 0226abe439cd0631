import { Router, type NextFunction, type Request, type Response } from "express";
import { AppError } from "../../platform/errors.js";
import { isOidcError } from "../../platform/oidc.js";
import { requireConfirmation } from "../../web/confirm.js";
import { requestMeta } from "../../web/context.js";
import { tr, translateFor } from "../../web/i18n.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, redirectIfSignedIn, requireFreshAuth, requireUser } from "../../web/guards.js";
import { deferLocals, redirectTo, renderPage, safeReturnTo, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { parseInput } from "../../web/validate.js";
import { afterFirstFactor } from "../auth/index.js";
import { linkedAccountMethod } from "./auth-method.js";
import { presentSignInButtons } from "./presenter.js";
import { listProviders } from "./repo.js";
import { providerSlugParams, startBody } from "./schema.js";
import { markReauthenticated } from "../../web/sign-in/session-auth.js";
import { accountForSignIn, bindIdentity, confirmWithIdentity, finishFlow, reauthProvidersOf, requireProvider, startFlow, unbindIdentity } from "./service.js";
import { identityFlowSlot, type IdentityFlow } from "./slots.js";

const CONNECTIONS = "/settings/connections";

export function identityRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);
  const slugOf = (req: Request) => parseInput(providerSlugParams, req.params).slug;

  // The browser goes on to the provider through a page, not a redirect of
  // the form's POST (form-action 'self' would stop that in the browser).
  async function continueToProvider(req: Request, res: Response, purpose: IdentityFlow["purpose"], returnTo: string) {
    const slug = slugOf(req);
    try {
      const { url, flow } = await startFlow(deps, slug, purpose, req.currentUser?.user ?? null, returnTo);
      identityFlowSlot.set(req, flow);
      const provider = await requireProvider(deps, slug);
      res.setHeader("Cache-Control", "no-store");
      res.render("identities/redirect", { url, providerName: provider.name });
    } catch (error) {
      failurePage(req, res, purpose, error);
    }
  }

  // Bind: a fresh authentication first (a stolen session must not attach
  // the thief's GitHub to the account).
  router.post(`${CONNECTIONS}/:slug/bind`, requireUser, fresh, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "connections", section: "connections", fragment: "identities/_section" });
    await continueToProvider(req, res, "bind", CONNECTIONS);
  });

  router.post(
    `${CONNECTIONS}/:slug/unbind`,
    requireUser,
    fresh,
    requireConfirmation((req) => ({
      title: tr(req, "identities:connections.unbindStepTitle"),
      message: tr(req, "identities:connections.unbindStepMessage"),
      confirmLabel: tr(req, "identities:connections.unbind"),
      cancelUrl: CONNECTIONS,
    })),
    async (req, res) => {
      rememberSectionForm(deps, req, res, { page: "connections", section: "connections", fragment: "identities/_section" });
      const provider = await unbindIdentity(deps, currentUserOf(req).user, slugOf(req), requestMeta(req));
      setFlash(req, "info", tr(req, "identities:flash.unbound", { provider: provider.name }));
      redirectTo(req, res, CONNECTIONS);
    },
  );

  // Step-up with a bound identity ("Confirm with GitHub" on /reauth), for
  // accounts that may have no password to enter.
  router.post("/reauth/providers/:slug", requireUser, async (req, res) => {
    const { return_to } = parseInput(startBody, req.body);
    await continueToProvider(req, res, "reauth", safeReturnTo(return_to, "/settings/security"));
  });

  router.post("/login/providers/:slug", redirectIfSignedIn, async (req, res) => {
    const { return_to } = parseInput(startBody, req.body);
    await continueToProvider(req, res, "sign-in", safeReturnTo(return_to, "/"));
  });

  // The provider sends the browser back here. The flow is taken out of the
  // session before anything is checked, so a callback is accepted once.
  router.get("/auth/providers/:slug/callback", async (req, res) => {
    const flow = identityFlowSlot.get(req);
    identityFlowSlot.clear(req);
    const purpose = flow?.purpose ?? (req.currentUser ? "bind" : "sign-in");
    try {
      const finished = await finishFlow(deps, slugOf(req), new URL(req.originalUrl, deps.config.baseUrl).href, flow);
      const { provider, profile } = finished;
      if (finished.flow.purpose === "reauth") {
        const current = req.currentUser;
        if (!current || current.user.id !== finished.flow.userId) throw new AppError(403, "BIND_SESSION_CHANGED", { message: "identities:errors.bindSessionChanged" });
        await confirmWithIdentity(deps, current.user, provider, profile, requestMeta(req));
        // The proof is fresh again, under a new session id.
        await markReauthenticated(req, deps, linkedAccountMethod.id);
        return redirectTo(req, res, finished.flow.returnTo);
      }
      if (finished.flow.purpose === "bind") {
        // The account that started the bind must be the one signed in now.
        const current = req.currentUser;
        if (!current || current.user.id !== finished.flow.userId) throw new AppError(403, "BIND_SESSION_CHANGED", { message: "identities:errors.bindSessionChanged" });
        const outcome = await bindIdentity(deps, current.user, provider, profile, requestMeta(req));
        const vars = { provider: provider.name, login: profile.login };
        setFlash(req, "info", tr(req, outcome === "already-bound" ? "identities:flash.alreadyBound" : profile.login ? "identities:flash.boundAs" : "identities:flash.bound", vars));
        return redirectTo(req, res, CONNECTIONS);
      }
      if (req.currentUser) throw new AppError(409, "ALREADY_SIGNED_IN", { message: "identities:errors.alreadySignedIn" });
      const { user, created } = await accountForSignIn(deps, provider, profile, requestMeta(req));
      if (created) setFlash(req, "info", tr(req, "identities:flash.created", { username: user.username, provider: provider.name }));
      await afterFirstFactor(deps, req, res, user, linkedAccountMethod, finished.flow.returnTo);
    } catch (error) {
      failurePage(req, res, purpose, error);
    }
  });

  return router;
}

// Every refusal and provider failure (down, slow, a bad answer) gets its own
// clear page; nothing was linked or created. Anything else (our database
// down) goes on to the error handler.
function failurePage(req: Request, res: Response, purpose: IdentityFlow["purpose"], error: unknown): void {
  if (!(error instanceof AppError) || (!isOidcError(error) && error.status >= 500)) throw error;
  // A failed step-up leaves the account signed in: back to its settings.
  const bind = purpose !== "sign-in";
  renderPage(
    res,
    "identities/failed",
    {
      title: tr(req, bind ? "identities:failed.bindTitle" : "identities:failed.signInTitle"),
      heading: tr(req, bind ? "identities:failed.bindHeading" : "identities:failed.signInHeading"),
      message: translateFor(req, error.message, error.details),
      backUrl: bind ? CONNECTIONS : "/login",
      backLabel: tr(req, bind ? "identities:failed.backToConnections" : "identities:failed.backToSignIn"),
    },
    error.status,
  );
}

// The sign-in page lists "Continue with …" for providers open for sign-in;
// its partial (identities/_sign-in) reads them from here.
export function signInProviderButtons(deps: WebDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.currentUser && req.path === "/reauth") {
      // "Confirm with …" for the account's identities (identities/_reauth).
      const providers = await reauthProvidersOf(deps, req.currentUser.user);
      Object.assign(res.locals, { reauthProviders: presentSignInButtons(providers), reauthViews: ["identities/_reauth"], reauthAlternatives: providers.length });
      return next();
    }
    if (req.currentUser || !req.path.startsWith("/login")) return next();
    const load = async () => ({ signInProviders: presentSignInButtons(await listProviders(deps.db)) });
    // A POST shows the page again only when it fails (renderForm): a
    // successful sign-in does not read the providers.
    if (req.method === "GET" || req.method === "HEAD") Object.assign(res.locals, await load());
    else deferLocals(res, load);
    next();
  };
}
