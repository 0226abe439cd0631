import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request } from "express";
import type { Deps } from "./deps.js";
import { recordAudit, type AuditEntry } from "./modules/audit/service.js";
import { authRoutes } from "./modules/auth/routes.js";
import { createLoginThrottle, type LoginThrottle } from "./modules/auth/throttle.js";
import { devMailboxRoutes } from "./modules/dev-mailbox/routes.js";
import { healthRoutes } from "./modules/health/routes.js";
import { avatarUploadParsing, profileRoutes } from "./modules/profile/routes.js";
import { createSetupState, type SetupState } from "./modules/setup/service.js";
import { setupRoutes } from "./modules/setup/routes.js";
import { workspaceRoutes } from "./modules/workspaces/routes.js";
import { workspaceSettingsRoutes } from "./modules/workspaces/settings-routes.js";
import { membersRoutes } from "./modules/workspaces/members-routes.js";
import { reauthRoutes } from "./modules/reauth/routes.js";
import { sessionRoutes } from "./modules/sessions/routes.js";
import { passwordRoutes } from "./modules/password/routes.js";
import { adminRoutes } from "./modules/admin/routes.js";
import { contactRoutes } from "./modules/contact/routes.js";
import { loginChallengeRoutes } from "./modules/two-factor/login-routes.js";
import { twoFactorRoutes } from "./modules/two-factor/routes.js";
import { requireWorkspaceTwoFactor } from "./modules/two-factor/workspace-policy.js";
import { loadCurrentUser } from "./platform/auth/current-user.js";
import { requestMeta } from "./platform/auth/session-auth.js";
import { requireRedisReady } from "./platform/http/availability.js";
import { errorHandler } from "./platform/http/error-handler.js";
import { notFound } from "./platform/errors.js";
import { csrfProtection, csrfTokenFor, noStoreWhenSignedIn, securityHeaders } from "./platform/http/security.js";
import { createSessionStore, sessionCookieName, sessionMiddleware } from "./platform/http/session.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface WebDeps extends Deps {
  throttle: LoginThrottle;
  setupState: SetupState;
  sessionStore: ReturnType<typeof createSessionStore>;
  sessionCookieName: string;
  audit(entry: AuditEntry, req: Request): Promise<void>;
}

export function createApp(deps: Deps) {
  const sessionStore = createSessionStore(deps);
  const web: WebDeps = {
    ...deps,
    throttle: createLoginThrottle(deps.redis, deps.config.redisPrefix),
    setupState: createSetupState(deps),
    sessionStore,
    sessionCookieName: sessionCookieName(deps.config.secureCookies),
    audit: (entry, req) => recordAudit(deps.db, entry, requestMeta(req)),
  };

  const showMailbox = deps.mailer.kind === "outbox" && deps.config.env !== "production";
  const app = express();
  app.set("trust proxy", deps.config.trustProxy);
  app.set("view engine", "ejs");
  app.set("views", path.join(root, "views"));
  app.set("x-powered-by", false);
  if (deps.config.env === "production") app.set("view cache", true);

  // Layout defaults first, so even an error raised before the session loads
  // (Redis down, bad CSRF) renders a proper page.
  app.use((req, res, next) => {
    Object.assign(res.locals, { viewer: null, workspaceSwitcher: [], activeWorkspace: null, flash: null, csrfToken: "", currentPath: req.path, mailboxEnabled: false, logger: deps.logger });
    next();
  });
  app.use(securityHeaders({ secure: deps.config.secureCookies }));
  app.use("/static", express.static(path.join(root, "public"), { maxAge: "1h", fallthrough: true }));
  app.use("/static/vendor/htmx.min.js", (_req, res) => res.sendFile(path.join(root, "node_modules/htmx.org/dist/htmx.min.js")));
  app.use(healthRoutes(web));

  app.use(requireRedisReady(deps.redis));
  app.use(express.urlencoded({ extended: false, limit: "64kb", parameterLimit: 100 }));
  app.use(sessionMiddleware(deps, sessionStore));
  app.use(loadCurrentUser(deps));
  app.use(noStoreWhenSignedIn);
  // Multipart bodies (the avatar upload, and only it) are parsed here so the
  // global CSRF check below can read their `_csrf` field; no route is exempt.
  app.use(avatarUploadParsing());
  app.use(csrfProtection);
  app.use((req, res, next) => {
    res.locals.csrfToken = csrfTokenFor(req);
    res.locals.mailboxEnabled = showMailbox;
    next();
  });
  app.use(async (req, res, next) => {
    if (req.path === "/setup" || (await web.setupState.isDone())) return next();
    res.redirect(303, "/setup");
  });

  app.get("/", (req, res) => {
    const current = req.currentUser;
    if (!current) return res.redirect(303, "/login");
    if (current.activeMembership) return res.redirect(303, `/w/${current.activeMembership.workspace.slug}`);
    res.redirect(303, "/workspaces/new?first=1");
  });
  app.use(requireWorkspaceTwoFactor);
  app.use(setupRoutes(web));
  app.use(authRoutes(web));
  app.use(workspaceRoutes(web));
  app.use(workspaceSettingsRoutes(web));
  app.use(membersRoutes(web));
  app.use(reauthRoutes(web));
  app.use(sessionRoutes(web));
  app.use(passwordRoutes(web));
  app.use(adminRoutes(web));
  app.use(profileRoutes(web));
  app.use(contactRoutes(web));
  app.use(loginChallengeRoutes(web));
  app.use(twoFactorRoutes(web));
  if (showMailbox) app.use(devMailboxRoutes(web));

  app.use((_req, _res, next) => next(notFound()));
  app.use(errorHandler(deps.logger));
  return app;
}

