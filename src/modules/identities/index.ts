// Sign-in providers (GitHub, Discord, any OpenID provider) configured by
// instance administrators, and the identities accounts bind to them:
// "Continue with …" on the sign-in page, Settings → Connections.
export { identityProviders, linkedIdentities, type IdentityProvider, type LinkedIdentity } from "./tables.js";
export { linkedAccountMethod } from "./auth-method.js";
export { connectionsSection } from "./sections.js";
export { identityRoutes, signInProviderButtons } from "./routes.js";
export { providerAdminRoutes } from "./admin-routes.js";
