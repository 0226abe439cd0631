// Passkeys (WebAuthn): registered by their owner, used for passwordless
// sign-in, as a second factor and for step-up.
export { passkeys, type Passkey } from "./tables.js";
export { countPasskeys } from "./repo.js";
export { passkeyMethod } from "./auth-method.js";
export { passkeysSection } from "./sections.js";
export { passkeyRoutes } from "./routes.js";
