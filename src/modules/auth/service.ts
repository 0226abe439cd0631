import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { hashPassword, passwordNeedsRehash, verifyAgainstDummy, verifyPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import type { LoginThrottle } from "../../web/sign-in/throttle.js";
import { recordEvent } from "../audit/index.js";
import { checkPassword } from "../password/index.js";
import { emailTaken, findUserByLogin, insertUser, isEmailTaken, isUsernameTaken, translateUniqueViolation, updatePasswordHash, usernameTaken, type User } from "../users/index.js";
import { authEvents } from "./events.js";
import type { LoginInput, RegisterInput } from "./schema.js";

type AuthDeps = Pick<Deps, "db" | "config" | "clock">;

export async function assertNewAccountAllowed(deps: Pick<Deps, "db">, input: { username: string; email: string; password: string }) {
  const problem = checkPassword(input.password, input);
  if (problem) throw new AppError(422, "PASSWORD_POLICY", { field: "password", message: problem });
  if (await isUsernameTaken(deps.db, input.username)) throw usernameTaken();
  if (await isEmailTaken(deps.db, input.email)) throw emailTaken();
}

// The pre-check gives the usual answer; the unique indexes catch two
// registrations racing for the same name.
export async function registerUser(deps: AuthDeps, input: RegisterInput, meta: RequestMeta): Promise<User> {
  await assertNewAccountAllowed(deps, input);
  const passwordHash = await hashPassword(input.password);
  return deps.db
    .transaction(async (tx) => {
      const created = await insertUser(tx, { username: input.username, email: input.email, passwordHash });
      await recordEvent(tx, authEvents.registered(created, deps.config.baseUrl), meta, deps.clock.now());
      return created;
    })
    .catch(translateUniqueViolation);
}

const INVALID_CREDENTIALS = () => new AppError(401, "INVALID_CREDENTIALS", { message: "auth:errors.invalidCredentials" });

// One answer and one cost for every failure: unknown account, wrong password,
// SSO account without a password, locked account. Unknown accounts verify a
// dummy hash so the timing matches.
export async function authenticate(deps: AuthDeps & { loginThrottle: LoginThrottle }, input: LoginInput, meta: RequestMeta): Promise<User> {
  const user = await findUserByLogin(deps.db, input.login);
  const accountKey = user ? `user:${user.id}` : `login:${input.login.trim().toLowerCase()}`;
  await deps.loginThrottle.assertAllowed(accountKey, meta.ip);

  const passwordOk = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : (await verifyAgainstDummy(input.password), false);
  if (!user || !passwordOk || user.status !== "active") {
    const { accountJustLocked } = await deps.loginThrottle.recordFailure(accountKey, meta.ip);
    const reason = !user ? "unknown_account" : !user.passwordHash ? "no_password" : !passwordOk ? "wrong_password" : `account_${user.status}`;
    await recordEvent(deps.db, authEvents.signInFailed(user, accountJustLocked, deps.config.baseUrl, reason), meta, deps.clock.now());
    throw INVALID_CREDENTIALS();
  }

  await deps.loginThrottle.recordSuccess(accountKey, meta.ip);
  if (passwordNeedsRehash(user.passwordHash!)) {
    await updatePasswordHash(deps.db, user.id, await hashPassword(input.password));
  }
  return user;
}
