import type { Db } from "../../db/client.js";
import type { Deps } from "../../deps.js";
import { AppError } from "../../platform/errors.js";
import { hashPassword, verifyPassword } from "../../platform/crypto/passwords.js";
import { enqueueMail } from "../../platform/queue.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { accountLockedMail } from "../auth/mails.js";
import type { LoginThrottle } from "../auth/throttle.js";
import { endSessionsOfUser } from "../sessions/service.js";
import { findUserByLogin } from "../users/repo.js";
import type { User } from "../users/tables.js";
import { noPasswordToResetMail, passwordChangedMail, resetLinkMail, type PasswordChangeKind } from "./mails.js";
import { checkPassword } from "./policy.js";
import { consumeReset, findResetByTokenHash, insertPasswordReset, replacePasswordHash, voidOutstandingResets, type ResetLink } from "./repo.js";
import { hashResetToken, isWellFormedResetToken, newResetToken, RESET_TOKEN_TTL_MS, type ResetThrottle } from "./reset-tokens.js";
import type { ChangePasswordInput, ForgotPasswordInput, NewPasswordInput } from "./schema.js";

export type PasswordDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex">;

export const PASSWORD_CHANGED = "password.changed";
export const PASSWORD_RESET = "password.reset";

// View model of the password section on the security page.
export function passwordSection(user: User) {
  return {
    hasPassword: Boolean(user.passwordHash),
    changedAt: user.passwordChangedAt ? user.passwordChangedAt.toISOString().replace("T", " ").slice(0, 16) + " UTC" : null,
  };
}

export function assertPasswordAllowed(password: string, user: Pick<User, "username" | "email">): void {
  const problem = checkPassword(password, { username: user.username, email: user.email });
  if (problem) throw new AppError(422, "PASSWORD_POLICY", { field: "newPassword", message: problem });
}

const concurrentChange = () =>
  new AppError(409, "PASSWORD_CHANGED_CONCURRENTLY", { message: "The password was changed in the meantime. Reload the page and try again." });

// Stores the new hash, voids every outstanding reset link and records why, in
// one transaction. The caller ends sessions and sends the notice afterwards.
export async function storeNewPassword(
  deps: Pick<Deps, "db" | "clock">,
  subject: User,
  newPassword: string,
  audit: { action: string; actorId: string; details?: Record<string, unknown>; meta: RequestMeta },
  beforeStore?: (tx: Db, now: Date) => Promise<void>,
): Promise<Date> {
  const newHash = await hashPassword(newPassword);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (beforeStore) await beforeStore(tx, now);
    if (!(await replacePasswordHash(tx, subject.id, { expectedHash: subject.passwordHash, newHash, changedAt: now }))) throw concurrentChange();
    await voidOutstandingResets(tx, subject.id, now);
    await recordAudit(tx, { action: audit.action, actorId: audit.actorId, subjectId: subject.id, details: audit.details }, audit.meta);
  });
  return now;
}

export async function sendPasswordChangedNotice(
  deps: Pick<Deps, "db" | "config">,
  user: User,
  change: { kind: PasswordChangeKind; at: Date; otherSessionsEnded: boolean },
  meta: RequestMeta,
) {
  await enqueueMail(deps.db, passwordChangedMail(user.email, user.username, { ...change, ip: meta.ip, baseUrl: deps.config.baseUrl }));
}

// Needs the current password (ASVS 6.2.3). A wrong one changes nothing and
// counts against the same limits as a failed sign-in, so a stolen session
// cannot be used to guess the password.
export async function changePassword(
  deps: PasswordDeps & { throttle: LoginThrottle },
  user: User,
  input: ChangePasswordInput,
  context: { currentSid: string; meta: RequestMeta },
): Promise<{ signedOutOthers: number }> {
  const { meta } = context;
  if (!user.passwordHash) {
    throw new AppError(403, "NO_LOCAL_PASSWORD", { message: "Single sign-on accounts have no Latchkey password to change." });
  }
  const accountKey = `user:${user.id}`;
  await deps.throttle.assertAllowed(accountKey, meta.ip);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    const { accountJustLocked } = await deps.throttle.recordFailure(accountKey, meta.ip);
    await recordAudit(deps.db, { action: "password.change_failed", actorId: user.id, subjectId: user.id, details: { accountLocked: accountJustLocked } }, meta);
    if (accountJustLocked) await enqueueMail(deps.db, accountLockedMail(user.email, user.username, deps.config.baseUrl));
    throw new AppError(401, "CURRENT_PASSWORD_INCORRECT", { field: "currentPassword", message: "Your current password is not correct." });
  }
  await deps.throttle.recordSuccess(accountKey, meta.ip);
  assertPasswordAllowed(input.newPassword, user);
  if (await verifyPassword(user.passwordHash, input.newPassword)) {
    throw new AppError(422, "PASSWORD_UNCHANGED", { field: "newPassword", message: "Choose a password different from your current one." });
  }

  const at = await storeNewPassword(deps, user, input.newPassword, {
    action: PASSWORD_CHANGED,
    actorId: user.id,
    details: { signedOutOthers: input.signOutOthers },
    meta,
  });
  const signedOutOthers = input.signOutOthers
    ? await endSessionsOfUser(deps, user.id, { exceptSid: context.currentSid, actorId: user.id, reason: "password_changed" }, meta)
    : 0;
  await sendPasswordChangedNotice(deps, user, { kind: "changed", at, otherSessionsEnded: input.signOutOthers }, meta);
  return { signedOutOthers };
}

// The answer never depends on whether the account exists. Both cases look the
// account up and spend a rate-limit slot; the account-specific work (a row, a
// mail job) is returned as a follow-up the route runs after the response is
// sent, so it does not show in the response time either.
export async function requestPasswordReset(
  deps: PasswordDeps,
  throttle: ResetThrottle,
  input: ForgotPasswordInput,
  meta: RequestMeta,
): Promise<(() => Promise<void>) | null> {
  await throttle.assertRequestAllowed(meta.ip);
  const user = await findUserByLogin(deps.db, input.login);
  const targetKey = user ? `user:${user.id}` : `login:${input.login.toLowerCase()}`;
  const maySend = await throttle.takeSendSlot(targetKey);
  if (!user || user.status !== "active" || !maySend) return null;
  return () => deliverResetLink(deps, user, meta);
}

// The link, its audit entry and its mail commit together: a stored link is
// always mailed (the outbox survives a Redis outage), a mailed one always works.
async function deliverResetLink(deps: PasswordDeps, user: User, meta: RequestMeta): Promise<void> {
  if (!user.passwordHash) {
    await enqueueMail(deps.db, noPasswordToResetMail(user.email, user.username, deps.config.baseUrl));
    return;
  }
  const { token, tokenHash } = newResetToken();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await insertPasswordReset(tx, { userId: user.id, tokenHash, expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS), createdAt: now });
    await recordAudit(tx, { action: "password.reset_requested", subjectId: user.id }, meta);
    // The raw token exists only here and in the (sealed) mail; it is never logged.
    await enqueueMail(tx, resetLinkMail(user.email, user.username, `${deps.config.baseUrl}/reset-password/${token}`));
  });
}

export type ResetLinkState = { usable: true; link: ResetLink } | { usable: false; reason: "invalid" | "expired" | "used" };

// Looks a link up without using it. Accounts that cannot have a password set
// this way (single sign-on, locked, cancelled) make the link invalid.
export async function inspectResetLink(deps: Pick<Deps, "db" | "clock">, throttle: ResetThrottle, token: string, meta: RequestMeta): Promise<ResetLinkState> {
  await throttle.assertLinkCheckAllowed(meta.ip);
  const link = isWellFormedResetToken(token) ? await findResetByTokenHash(deps.db, hashResetToken(token)) : undefined;
  let state: ResetLinkState;
  if (!link || !link.user.passwordHash || link.user.status !== "active") state = { usable: false, reason: "invalid" };
  else if (link.usedAt) state = { usable: false, reason: "used" };
  else if (link.expiresAt.getTime() <= deps.clock.now().getTime()) state = { usable: false, reason: "expired" };
  else state = { usable: true, link };
  if (!state.usable) await throttle.recordBadLink(meta.ip);
  return state;
}

// Sets the password of the link's owner: the token alone decides whose
// password changes, never the session or anything in the form. The link is
// used up in the same transaction (a conditional UPDATE, so a second use or
// a concurrent one finds nothing), and every session of the account ends.
export async function completePasswordReset(deps: PasswordDeps, token: string, link: ResetLink, input: NewPasswordInput, meta: RequestMeta): Promise<void> {
  const user = link.user;
  assertPasswordAllowed(input.newPassword, user);
  const at = await storeNewPassword(deps, user, input.newPassword, { action: PASSWORD_RESET, actorId: user.id, meta }, async (tx, now) => {
    const consumed = await consumeReset(tx, hashResetToken(token), now);
    if (!consumed || consumed.userId !== user.id) {
      // 409, not 410: the form shows it (only a race gets here; a used link is caught before).
      throw new AppError(409, "RESET_LINK_USED", { message: "This reset link has already been used or has expired. Request a new one." });
    }
  });
  await endSessionsOfUser(deps, user.id, { exceptSid: null, actorId: user.id, reason: "password_reset" }, meta);
  await sendPasswordChangedNotice(deps, user, { kind: "reset", at, otherSessionsEnded: true }, meta);
}
