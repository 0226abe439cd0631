// Passwords: the strength policy, changing one, forgotten-password links,
// and storing a new one for other modules (an administrator's reset).
export { checkPassword, findPasswordProblem, zxcvbnTranslations } from "./strength.js";
export { passwordResets } from "./tables.js";
export { PASSWORDS_DIFFER, newPasswordSchema, type NewPasswordInput } from "./schema.js";
export { accountLockedMail, passwordChangedMail } from "./mails.js";
export { passwordChangedNotice } from "./events.js";
export { assertPasswordAllowed, storeNewPassword } from "./service.js";
export { passwordSection } from "./sections.js";
export { passwordRoutes } from "./routes.js";
export { strengthMeterRoutes } from "./strength-meter.js";
