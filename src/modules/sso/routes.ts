import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { AppError } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth } from "../../web/guards.js";
import { tr } from "../../web/i18n.js";
import { redirectTo, rememberForm, renderPage, safeReturnTo, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl, type WorkspaceScope } from "../../web/workspace-scope.js";
import { afterFirstFactor } from "../auth/index.js";
import { ssoMethod, ssoProviderMfaMethod } from "./auth-method.js";
import { presentRedirectUri, presentReport, presentSettings } from "./presenter.js";
import { returnToSchema, slugParams, ssoEmailSchema, ssoSettingsSchema } from "./schema.js";
import { finishSignIn, loadSettings, removeSettings, saveSettings, startSignIn, testConnection, workspaceForSignIn, workspacesForEmail, type ConnectionReport } from "./service.js";
import { PENDING_SSO_TTL_MS, pendingSso } from "./slots.js";

const testBody = z.object({ issuer: z.string().max(500).optional() });

// /w/:slug/settings/sso on the workspace router: owners and admins.
export function ssoSettingsRoutes(deps: WebDeps, router: Router): void {
  async function page(req: Request, scope: WorkspaceScope, report: ConnectionReport | null = null) {
    const config = await loadSettings(deps, scope);
    const settings = presentSettings(config, scope.workspace.requireSso);
    return {
      title: tr(req, "sso:settings.title"),
      workspace: { name: scope.workspace.name, slug: scope.workspace.slug },
      configured: settings.configured,
      redirectUri: presentRedirectUri(deps.config, scope.workspace.slug),
      report: presentReport(report),
      defaults: settings.values,
    };
  }

  router.get("/settings/sso", async (req, res) => {
    const data = await page(req, scopeOf(req));
    renderPage(res, "sso/settings", { ...data, values: data.defaults, errors: {}, formError: null });
  });

  router.post("/settings/sso", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "sso/settings", "sso/_settings-form", () => page(req, scope));
    const input = parseInput(ssoSettingsSchema, req.body);
    await saveSettings(deps, currentUserOf(req).user.id, scope, input, requestMeta(req));
    setFlash(req, "info", "sso:settings.saved");
    redirectTo(req, res, scopeUrl(scope, "/settings/sso"));
  });

  // Runs discovery on the issuer in the form and reports; changes nothing.
  router.post("/settings/sso/test", async (req, res) => {
    const scope = scopeOf(req);
    const { issuer } = parseInput(testBody, req.body);
    const report = await testConnection(deps, scope, issuer);
    const data = await page(req, scope, report);
    const values = { ...data.defaults, ...Object.fromEntries(Object.entries(req.body ?? {}).filter(([key, value]) => typeof value === "string" && ["issuer", "clientId", "allowedDomains", "defaultRole"].includes(key))) };
    renderPage(res, "sso/settings", { ...data, values, errors: {}, formError: null });
  });

  const confirmRemove = requireConfirmation((req) => ({
    title: tr(req, "sso:remove.confirmTitle"),
    message: tr(req, "sso:remove.confirmMessage"),
    confirmLabel: tr(req, "sso:remove.confirmLabel"),
    cancelUrl: scopeUrl(scopeOf(req), "/settings/sso"),
  }));

  router.post("/settings/sso/delete", requireFreshAuth(deps), confirmRemove, async (req, res) => {
    const scope = scopeOf(req);
    const { signedOut } = await removeSettings(deps, currentUserOf(req).user.id, scope, requestMeta(req));
    setFlash(req, "info", "sso:remove.done", { count: signedOut });
    redirectTo(req, res, scopeUrl(scope, "/settings/sso"));
  });
}

// The sign-in: /sso/:slug (a page whose link leaves for the provider), the
// provider's callback, and "Sign in with SSO" by email. Leaving is a GET
// reached by a link, not a form: the CSP's form-action 'self' (rightly)
// stops a form submission that redirects to another origin. The state it
// writes is the flow's own anti-forgery token, bound to this session.
export function ssoRoutes(deps: WebDeps): Router {
  const router = Router();

  async function leaveForProvider(req: Request, res: Response, slug: string, returnTo: string | undefined) {
    const { workspace, url, authorization } = await startSignIn(deps, slug);
    // Bound to this browser's session: the callback is accepted only here, once.
    pendingSso.set(req, { workspaceId: workspace.id, returnTo: safeReturnTo(returnTo, `/w/${workspace.slug}`), startedAt: deps.clock.now().getTime(), authorization });
    redirectTo(req, res, url);
  }

  router.post("/login/sso", async (req, res) => {
    rememberForm(res, req, "auth/login", "sso/_sign-in", { notice: null, signInMethods: deps.authMethods.signInViews(deps) });
    const { email, return_to } = parseInput(ssoEmailSchema, req.body);
    const workspaces = await workspacesForEmail(deps, email);
    if (workspaces.length === 0) throw new AppError(422, "SSO_NOT_FOUND", { field: "email", message: "sso:signIn.noWorkspace" });
    if (workspaces.length === 1) {
      const query = return_to ? `?return_to=${encodeURIComponent(safeReturnTo(return_to, "/"))}` : "";
      return redirectTo(req, res, `/sso/${encodeURIComponent(workspaces[0]!.slug)}${query}`);
    }
    renderPage(res, "sso/choose", { title: tr(req, "sso:signIn.chooseTitle"), workspaces: workspaces.map((w) => ({ name: w.name, slug: w.slug })) });
  });

  router.get("/sso/:slug", async (req, res) => {
    const { slug } = parseInput(slugParams, req.params);
    const { return_to } = parseInput(returnToSchema, req.query);
    const workspace = await workspaceForSignIn(deps, slug);
    renderPage(res, "sso/start", { title: tr(req, "sso:signIn.title"), workspace: { name: workspace.name, slug: workspace.slug }, returnTo: safeReturnTo(return_to, "") });
  });

  router.get("/sso/:slug/start", async (req, res) => {
    const { slug } = parseInput(slugParams, req.params);
    const { return_to } = parseInput(returnToSchema, req.query);
    await leaveForProvider(req, res, slug, return_to);
  });

  router.get("/sso/:slug/callback", async (req, res) => {
    const { slug } = parseInput(slugParams, req.params);
    // Single use: whatever happens next, this pending flow is spent.
    const pending = pendingSso.get(req);
    pendingSso.clear(req);
    const live = pending && deps.clock.now().getTime() - pending.startedAt <= PENDING_SSO_TTL_MS ? pending : undefined;
    const signIn = await finishSignIn(
      deps,
      {
        workspaceId: live?.workspaceId ?? (await workspaceForSignIn(deps, slug)).id,
        slug,
        callbackUrl: `${deps.config.baseUrl}${req.originalUrl}`,
        authorization: live?.authorization,
        signedInUserId: req.currentUser?.user.id ?? null,
      },
      requestMeta(req),
    );
    const method = signIn.providerMfa ? ssoProviderMfaMethod : ssoMethod;
    await afterFirstFactor(deps, req, res, signIn.user, method, live?.returnTo, { viaWorkspaceId: signIn.workspace.id });
  });

  return router;
}
