import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { hashPassword, passwordNeedsRehash, verifyAgainstDummy, verifyPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import { SIGN_IN_PAUSED, type LoginThrottle } from "../../web/sign-in/throttle.js";
import { recordEvent } from "../audit/index.js";
import { findPasswordProblem } from "../password/index.js";
import { emailTaken, findUserByLogin, insertUser, isEmailTaken, isUsernameTaken, translateUniqueViolation, updatePasswordHash, usernameTaken, type User } from "../users/index.js";
import { authEvents } from "./events.js";
import type { LoginInput, RegisterInput } from "./schema.js";

type AuthDeps = Pick<Deps, "db" | "config" | "clock" | "metrics">;
type SignInDeps = AuthDeps & Pick<Deps, "redis"> & { loginThrottle: LoginThrottle };

// An attempt on an account whose sign-in is paused (too many failures) is
// recorded, so its owner and administrators see the attack go on; at most one
// such row a minute per account, so a flood cannot fill the log (the per-IP
// ceiling and the per-pair delay refuse without a row for the same reason).
async function noteAttemptWhilePaused(deps: SignInDeps, user: User, meta: RequestMeta): Promise<void> {
  const first = await deps.redis.set(`${deps.config.redisPrefix}login:paused-noted:${user.id}`, "1", "EX", 60, "NX");
  if (first !== "OK") return;
  await recordEvent(deps.db, authEvents.signInFailed(user, false, deps.config.baseUrl, "account_paused"), meta, deps.clock.now());
}

export async function assertNewAccountAllowed(deps: Pick<Deps, "db">, input: { username: string; email: string; password: string }) {
  const problem = findPasswordProblem(input.password, input);
  if (problem) throw new AppError(422, "PASSWORD_POLICY", { field: "password", ...problem });
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
export async function authenticate(deps: SignInDeps, input: LoginInput, meta: RequestMeta): Promise<User> {
  const user = await findUserByLogin(deps.db, input.login);
  const accountKey = user ? `user:${user.id}` : `login:${input.login.trim().toLowerCase()}`;
  try {
    await deps.loginThrottle.assertAllowed(accountKey, meta.ip);
  } catch (error) {
    if (user && error instanceof AppError && error.code === SIGN_IN_PAUSED) await noteAttemptWhilePaused(deps, user, meta);
    throw error;
  }

  const passwordOk = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : (await verifyAgainstDummy(input.password), false);
  if (!user || !passwordOk || user.status !== "active") {
    const { accountJustLocked } = await deps.loginThrottle.recordFailure(accountKey, meta.ip);
    const reason = !user ? "unknown_account" : !user.passwordHash ? "no_password" : !passwordOk ? "wrong_password" : `account_${user.status}`;
    await recordEvent(deps.db, authEvents.signInFailed(user, accountJustLocked, deps.config.baseUrl, reason), meta, deps.clock.now());
    // The reason is one of a fixed set (unknown_account, wrong_password, …), never the login typed.
    deps.metrics.signIns.inc({ outcome: reason });
    throw INVALID_CREDENTIALS();
  }

  await deps.loginThrottle.recordSuccess(accountKey, meta.ip);
  if (passwordNeedsRehash(user.passwordHash!)) {
    await updatePasswordHash(deps.db, user.id, await hashPassword(input.password));
  }
  return user;
}
