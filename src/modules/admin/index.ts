// Instance administration: the user list and what administrators do to
// accounts, for the web pages and the operator console (scripts/admin.ts).
export { adminRoutes } from "./routes.js";
export { consoleActor, type AdminActor } from "./actor.js";
export { passwordChangeGate } from "./password-change-gate.js";
export {
  createUserAsAdmin,
  deleteUser,
  disableUser,
  enableUser,
  grantInstanceAdmin,
  requireUserById,
  resetTwoFactorAsAdmin,
  revokeInstanceAdmin,
  setPasswordAsAdmin,
} from "./service.js";
export { listActiveAdmins } from "./repo.js";
export { adminEvents } from "./events.js";
