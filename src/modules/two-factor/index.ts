// Two-factor authentication: TOTP with backup codes, sign-in verification by
// email or SMS code, resets, and the workspace "2FA required" rule.
export { backupCodes } from "./tables.js";
export { isTwoFactorEnabled, resetTwoFactor } from "./service.js";
export { twoFactorMethods } from "./auth-methods.js";
export { twoFactorSection } from "./sections.js";
export { twoFactorRequirement } from "./requirement.js";
export { twoFactorRoutes } from "./routes.js";
