import { AppError, isUniqueViolation } from "../../platform/errors.js";

// Both a pre-check and the database's unique indexes guard uniqueness; this
// turns the index's answer (two requests racing for one name) into the same
// message the pre-check gives.
export function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "users_username_lower_key")) throw usernameTaken();
  if (isUniqueViolation(error, "users_email_lower_active_key")) throw emailTaken();
  throw error;
}

export const usernameTaken = () => new AppError(409, "USERNAME_TAKEN", { field: "username", message: "codes:users.usernameTaken" });
export const emailTaken = () => new AppError(409, "EMAIL_TAKEN", { field: "email", message: "codes:users.emailTaken" });
