import path from "node:path";
import express from "express";
import type { Deps } from "./platform/deps.js";
import { notFound } from "./platform/errors.js";
import { projectRoot } from "./platform/paths.js";
import { requireRedisReady } from "./web/availability.js";
import type { WebDeps } from "./web/deps.js";
import { loadCurrentUser } from "./web/current-user.js";
import { principalsFor } from "./web/principal-cache.js";
import { errorHandler } from "./web/error-handler.js";
import { metricsRoute, requestMetrics } from "./web/metrics.js";
import { applyLocale, escapeForView, localize } from "./web/i18n.js";
import { createPageRegistry, settingsPageRoutes } from "./web/sections.js";
import { createViewEngine } from "./web/view-engine.js";
import { csrfProtection, csrfTokenFor, noStoreWhenSignedIn, securityHeaders } from "./web/security.js";
import { createSessionStore, sessionCookieName, sessionMiddleware } from "./web/session/store.js";
import { createAuthMethodRegistry } from "./web/sign-in/auth-method.js";
import { createLoginThrottle, createSecondFactorThrottle } from "./web/sign-in/throttle.js";
import { activeWorkspaceRequirements, createWorkspaceRouter } from "./web/workspace-scope.js";
import { adminRoutes, passwordChangeGate } from "./modules/admin/index.js";
import { apiRoutes } from "./modules/api/index.js";
import { auditRoutes, noticePreferencesSection, securityLogSection, workspaceActivityRoutes } from "./modules/audit/index.js";
import { authRoutes, passwordMethod } from "./modules/auth/index.js";
import { contactRoutes, contactSection } from "./modules/contact/index.js";
import { devMailboxRoutes, mailboxEnabled } from "./modules/dev-mailbox/index.js";
import { healthRoutes } from "./modules/health/index.js";
import { connectionsSection, identityRoutes, linkedAccountMethod, providerAdminRoutes, signInProviderButtons } from "./modules/identities/index.js";
import { invitationRoutes } from "./modules/invitations/index.js";
import { memberRoutes } from "./modules/members/index.js";
import { ticketRoutes } from "./modules/tickets/index.js";
import { cancelAccountSection, cancellationRoutes, jobsPageRoutes } from "./modules/cancellation/index.js";
import { passkeyMethod, passkeyRoutes, passkeysSection } from "./modules/passkeys/index.js";
import { passwordRoutes, passwordSection, strengthMeterRoutes } from "./modules/password/index.js";
import { avatarUploadParsing, profileRoutes, profileSections } from "./modules/profile/index.js";
import { reauthRoutes } from "./modules/reauth/index.js";
import { activeSessionsSection, sessionRoutes } from "./modules/sessions/index.js";
import { adminTokenRoutes, tokenRoutes } from "./modules/tokens/index.js";
import { createSetupState, setupGate, setupRoutes } from "./modules/setup/index.js";
import { ssoMethods, ssoRequirement, ssoRoutes, ssoSettingsRoutes } from "./modules/sso/index.js";
import { twoFactorMethods, twoFactorRequirement, twoFactorRoutes, twoFactorSection } from "./modules/two-factor/index.js";
import { workspaceHomeRoutes, workspacePrincipals, workspaceRoutes, workspaceSettingsRoutes } from "./modules/workspaces/index.js";

// From src/ (tsx) and from dist/src/ (compiled) alike.
const root = projectRoot;

// Composition only: what each module registers, and the middleware order.
// No rules live here.
export function createApp(deps: Deps) {
  const sessionStore = createSessionStore(deps);
  const web: WebDeps = {
    ...deps,
    sessionStore,
    sessionCookieName: sessionCookieName(deps.config.secureCookies),
    // Sign-in methods, in the order they are offered.
    authMethods: createAuthMethodRegistry([passwordMethod, passkeyMethod, ...ssoMethods, linkedAccountMethod, ...twoFactorMethods]),
    pages: createPageRegistry([...profileSections, contactSection, twoFactorSection, passkeysSection, passwordSection, activeSessionsSection, securityLogSection, noticePreferencesSection, cancelAccountSection, connectionsSection]),
    workspaceRequirements: [ssoRequirement, twoFactorRequirement],
    loginThrottle: createLoginThrottle(deps.redis, deps.config.redisPrefix),
    secondFactorThrottle: createSecondFactorThrottle(deps.redis, deps.config.redisPrefix),
  };
  const setupState = createSetupState(deps);
  const showMailbox = mailboxEnabled(deps);

  const app = express();
  app.set("trust proxy", deps.config.trustProxy);
  // Compiled views and include paths are kept (web/view-engine.ts), but in
  // development, where an edited view shows at once; tests render as
  // production does. `<%= %>` escapes everything but our own Markup (th,
  // fmt.timeTag, jsonForScript).
  const keepViews = deps.config.env !== "development";
  app.engine("ejs", createViewEngine({ cache: keepViews, escape: escapeForView }));
  app.set("view engine", "ejs");
  app.set("views", path.join(root, "views"));
  app.set("view cache", keepViews);
  app.set("x-powered-by", false);
  // No ETag on pages: each carries its own CSP nonce, so no two responses are
  // alike and a validator never matches; computing one hashed every page.
  // (Static files and avatars set their own.)
  app.set("etag", false);
  // requestMeta (web/context.ts) names the place of the client's IP with it.
  app.locals.geo = deps.geo;

  // Timing first, so every response counts; /metrics (bearer token only)
  // before anything that reads a cookie or a session.
  app.use(requestMetrics(deps));
  app.use(metricsRoute(deps));

  // Layout defaults first, so even an error raised before the session loads
  // (Redis down, bad CSRF) renders a proper page.
  app.use((req, res, next) => {
    // setTitle: a page view names its title through it (views/layouts/page.ejs); rendered alone, it does nothing.
    Object.assign(res.locals, { viewer: null, workspaceSwitcher: [], activeWorkspace: null, flash: null, csrfToken: "", currentPath: req.path, mailboxEnabled: false, logger: deps.logger, setTitle: () => {} });
    applyLocale(req, res, deps.clock);
    next();
  });
  app.use(securityHeaders({ secure: deps.config.secureCookies }));
  app.use("/static", express.static(path.join(root, "public"), { maxAge: "1h", fallthrough: true }));
  app.use("/static/vendor/htmx.min.js", (_req, res) => res.sendFile(path.join(root, "node_modules/htmx.org/dist/htmx.min.js")));
  app.use("/static/vendor/simplewebauthn-browser.min.js", (_req, res) => res.sendFile(path.join(root, "node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js")));
  app.use(strengthMeterRoutes());
  app.use(healthRoutes(web));
  // Bearer tokens only, no cookies: before the session and CSRF middleware.
  app.use("/api/v1", apiRoutes(web));

  app.use(requireRedisReady(deps.redis));
  app.use(express.urlencoded({ extended: false, limit: "64kb", parameterLimit: 100 }));
  app.use(sessionMiddleware(deps, sessionStore));
  app.use(loadCurrentUser(deps, principalsFor(deps, workspacePrincipals(deps.db))));
  // The signed-in user's saved language and time zone win over Accept-Language.
  app.use(localize(deps.clock));
  app.use(noStoreWhenSignedIn);
  // Multipart bodies (the avatar upload, and only it) are parsed here so the
  // global CSRF check below can read their `_csrf` field; no route is exempt.
  app.use(avatarUploadParsing());
  app.use(csrfProtection);
  app.use((req, res, next) => {
    res.locals.csrfToken = csrfTokenFor(req);
    res.locals.mailboxEnabled = showMailbox && Boolean(req.currentUser?.user.isInstanceAdmin);
    next();
  });
  app.use(setupGate(setupState));
  app.use(passwordChangeGate(deps));

  app.get("/", (req, res) => {
    const current = req.currentUser;
    if (!current) return res.redirect(303, "/login");
    if (current.activeMembership) return res.redirect(303, `/w/${current.activeMembership.workspace.slug}`);
    res.redirect(303, "/workspaces/new?first=1");
  });

  // Everything under /w/:slug is about the workspace in the URL.
  const workspace = createWorkspaceRouter(web);
  workspaceHomeRoutes(workspace);
  workspaceSettingsRoutes(web, workspace);
  ssoSettingsRoutes(web, workspace);
  memberRoutes(web, workspace);
  ticketRoutes(web, workspace);
  workspaceActivityRoutes(web, workspace);
  app.use("/w/:slug", workspace);

  app.use(activeWorkspaceRequirements(web));
  app.use(setupRoutes(web, setupState));
  // "Continue with …" buttons of the sign-in page (identities/_sign-in).
  app.use(signInProviderButtons(web));
  app.use(authRoutes(web));
  app.use(ssoRoutes(web));
  app.use(invitationRoutes(web));
  app.use(reauthRoutes(web));
  app.use(settingsPageRoutes(web));
  app.use(workspaceRoutes(web));
  app.use(sessionRoutes(web));
  app.use(cancellationRoutes(web));
  app.use(jobsPageRoutes(web));
  app.use(auditRoutes(web));
  app.use(passwordRoutes(web));
  app.use(adminRoutes(web));
  app.use(providerAdminRoutes(web));
  app.use(identityRoutes(web));
  app.use(tokenRoutes(web));
  app.use(adminTokenRoutes(web));
  app.use(profileRoutes(web));
  app.use(contactRoutes(web));
  app.use(twoFactorRoutes(web));
  app.use(passkeyRoutes(web));
  if (showMailbox) app.use(devMailboxRoutes(web));

  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler(deps.logger));
  return app;
}
