import type { Deps } from "../../deps.js";
import { AppError, isUniqueViolation } from "../../platform/errors.js";
import { hashPassword, passwordNeedsRehash, verifyAgainstDummy, verifyPassword } from "../../platform/crypto/passwords.js";
import { enqueueMail } from "../../platform/queue.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { checkPassword } from "../password/policy.js";
import { findUserByLogin, insertUser, isEmailTaken, isUsernameTaken, updatePasswordHash } from "../users/repo.js";
import type { User } from "../users/tables.js";
import { accountLockedMail, welcomeMail } from "./mails.js";
import type { LoginInput, RegisterInput } from "./schema.js";
import type { LoginThrottle } from "./throttle.js";

type AuthDeps = Pick<Deps, "db" | "config">;

export async function assertNewAccountAllowed(deps: Pick<Deps, "db">, input: { username: string; email: string; password: string }) {
  const problem = checkPassword(input.password, input);
  if (problem) throw new AppError(422, "PASSWORD_POLICY", { field: "password", message: problem });
  if (await isUsernameTaken(deps.db, input.username)) {
    throw new AppError(409, "USERNAME_TAKEN", { field: "username", message: "That username is taken." });
  }
  if (await isEmailTaken(deps.db, input.email)) {
    throw new AppError(409, "EMAIL_TAKEN", { field: "email", message: "That email address is already in use." });
  }
}

// Both the pre-check and the database's unique indexes guard uniqueness; the
// second catches two registrations racing for the same name.
export function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "users_username_lower_key")) {
    throw new AppError(409, "USERNAME_TAKEN", { field: "username", message: "That username is taken." });
  }
  if (isUniqueViolation(error, "users_email_lower_active_key")) {
    throw new AppError(409, "EMAIL_TAKEN", { field: "email", message: "That email address is already in use." });
  }
  throw error;
}

export async function registerUser(deps: AuthDeps, input: RegisterInput, meta: RequestMeta): Promise<User> {
  await assertNewAccountAllowed(deps, input);
  const passwordHash = await hashPassword(input.password);
  const user = await deps.db
    .transaction(async (tx) => {
      const created = await insertUser(tx, { username: input.username, email: input.email, passwordHash });
      await recordAudit(tx, { action: "user.registered", actorId: created.id, subjectId: created.id }, meta);
      await enqueueMail(tx, welcomeMail(created.email, created.username, deps.config.baseUrl));
      return created;
    })
    .catch(translateUniqueViolation);
  return user;
}

const INVALID_CREDENTIALS = () =>
  new AppError(401, "INVALID_CREDENTIALS", { message: "Incorrect username, email or password." });

// One answer and one cost for every failure: unknown account, wrong password,
// SSO account without a password, locked account. Unknown accounts verify a
// dummy hash so the timing matches.
export async function authenticate(deps: AuthDeps & { throttle: LoginThrottle }, input: LoginInput, meta: RequestMeta): Promise<User> {
  const user = await findUserByLogin(deps.db, input.login);
  const accountKey = user ? `user:${user.id}` : `login:${input.login.trim().toLowerCase()}`;
  await deps.throttle.assertAllowed(accountKey, meta.ip);

  const passwordOk = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : (await verifyAgainstDummy(input.password), false);
  if (!user || !passwordOk || user.status !== "active") {
    const { accountJustLocked } = await deps.throttle.recordFailure(accountKey, meta.ip);
    await recordAudit(deps.db, { action: "auth.sign_in_failed", subjectId: user?.id ?? null, details: { accountLocked: accountJustLocked } }, meta);
    if (user && accountJustLocked) await enqueueMail(deps.db, accountLockedMail(user.email, user.username, deps.config.baseUrl));
    throw INVALID_CREDENTIALS();
  }

  await deps.throttle.recordSuccess(accountKey, meta.ip);
  if (passwordNeedsRehash(user.passwordHash!)) {
    await updatePasswordHash(deps.db, user.id, await hashPassword(input.password));
  }
  return user;
}
