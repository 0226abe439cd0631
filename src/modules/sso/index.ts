// Workspace single sign-on (OpenID Connect through platform/oidc.ts): its
// settings on the workspace router, the /sso/:slug sign-in, just-in-time
// accounts, and the "SSO required" workspace requirement.
export { ssoMethods } from "./auth-method.js";
export { ssoRequirement } from "./requirement.js";
export { ssoRoutes, ssoSettingsRoutes } from "./routes.js";
export { ssoEvents } from "./events.js";
export { isSsoAccount } from "./policy.js";
