// Accounts: the users table, its queries and input rules.
import type { User } from "./tables.js";

export { users, userStatuses, loginVerificationMethods, type User, type LoginVerificationMethod } from "./tables.js";
export { countUsers, findUserById, findUserByLogin, insertUser, isEmailTaken, isUsernameTaken, rememberTimeZoneIfUnset, revokeSessionsBefore, updateDisplayPreferences, updatePasswordHash } from "./repo.js";
export { emailSchema, usernameSchema } from "./schema.js";
export { emailTaken, translateUniqueViolation, usernameTaken } from "./errors.js";

// The web layer sees the signed-in user as this row type.
declare module "../../web/context.js" {
  interface AccountTypes {
    user: User;
  }
}
