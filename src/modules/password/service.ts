import type { Db } from "../../platform/db.js";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { hashPassword, verifyPassword } from "../../platform/crypto/passwords.js";
import { formatUtc } from "../../platform/format.js";
import { enqueueMail } from "../../platform/queue.js";
import type { RequestMeta } from "../../web/context.js";
import type { KeepSession } from "../../web/sign-in/session-auth.js";
import type { LoginThrottle } from "../../web/sign-in/throttle.js";
import { recordEvent, type SecurityEvent } from "../audit/index.js";
import { cleanUpRevocation, commitRevocation, prepareRevocation } from "../sessions/index.js";
import { findUserByLogin, type User } from "../users/index.js";
import { passwordEvents } from "./events.js";
import { noPasswordToResetMail, resetLinkMail } from "./mails.js";
import { findPasswordProblem } from "./strength.js";
import { consumeReset, findResetByTokenHash, insertPasswordReset, markEmailVerifiedByReset, replacePasswordHash, voidOutstandingResets, type ResetLink } from "./repo.js";
import { hashResetToken, isWellFormedResetToken, newResetToken, RESET_TOKEN_TTL_MS, type ResetThrottle } from "./reset-tokens.js";
import type { ChangePasswordInput, ForgotPasswordInput, NewPasswordInput } from "./schema.js";

export type PasswordDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex" | "logger">;

// View model of the password section on the security page.
export function presentPasswordSection(user: User) {
  return { hasPassword: Boolean(user.passwordHash), changedAt: user.passwordChangedAt ?? null };
}

export function assertPasswordAllowed(password: string, user: Pick<User, "username" | "email">): void {
  const problem = findPasswordProblem(password, { username: user.username, email: user.email });
  if (problem) throw new AppError(422, "PASSWORD_POLICY", { field: "newPassword", ...problem });
}

const concurrentChange = () =>
  new AppError(409, "PASSWORD_CHANGED_CONCURRENTLY", { message: "password:errors.concurrent" });

// Stores the new hash, voids every outstanding reset link, records the event
// (with its notice) and, when asked, signs out the account's sessions, all in
// one transaction: the answer the user gets is either "done", with every
// effect, or "not done", with none. `keepSession` re-stamps the session the
// change is made from just before, so it survives its own revocation.
export async function storeNewPassword(
  deps: PasswordDeps,
  subject: User,
  newPassword: string,
  change: { event: SecurityEvent; meta: RequestMeta; signOut?: { exceptSid: string | null; actorId: string; reason: string }; keepSession?: KeepSession },
  beforeStore?: (tx: Db, now: Date) => Promise<void>,
): Promise<{ at: Date; signedOut: number }> {
  const newHash = await hashPassword(newPassword);
  const at = deps.clock.now();
  const revocation = change.signOut ? await prepareRevocation(deps, subject.id, at, change.signOut.exceptSid) : null;
  await change.keepSession?.(at);
  await deps.db.transaction(async (tx) => {
    if (beforeStore) await beforeStore(tx, at);
    if (!(await replacePasswordHash(tx, subject.id, { expectedHash: subject.passwordHash, newHash, changedAt: at }))) throw concurrentChange();
    await voidOutstandingResets(tx, subject.id, at);
    if (revocation) await commitRevocation(tx, revocation, change.signOut!, change.meta);
    await recordEvent(tx, change.event, change.meta, at);
  });
  if (revocation) await cleanUpRevocation(deps, revocation);
  return { at, signedOut: revocation?.sids.length ?? 0 };
}

// Needs the current password (ASVS 6.2.3). A wrong one changes nothing and
// counts against the same limits as a failed sign-in, so a stolen session
// cannot be used to guess the password.
export async function changePassword(
  deps: PasswordDeps & { loginThrottle: LoginThrottle },
  user: User,
  input: ChangePasswordInput,
  context: { currentSid: string; meta: RequestMeta; keepSession: KeepSession },
): Promise<{ signedOutOthers: number }> {
  const { meta } = context;
  if (!user.passwordHash) {
    throw new AppError(403, "NO_LOCAL_PASSWORD", { message: "password:errors.noLocal" });
  }
  const accountKey = `user:${user.id}`;
  await deps.loginThrottle.assertAllowed(accountKey, meta.ip);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    const { accountJustLocked } = await deps.loginThrottle.recordFailure(accountKey, meta.ip);
    await recordEvent(deps.db, passwordEvents.changeFailed(user, accountJustLocked, deps.config.baseUrl), meta, deps.clock.now());
    throw new AppError(401, "CURRENT_PASSWORD_INCORRECT", { field: "currentPassword", message: "password:errors.currentIncorrect" });
  }
  await deps.loginThrottle.recordSuccess(accountKey, meta.ip);
  assertPasswordAllowed(input.newPassword, user);
  if (await verifyPassword(user.passwordHash, input.newPassword)) {
    throw new AppError(422, "PASSWORD_UNCHANGED", { field: "newPassword", message: "password:errors.unchanged" });
  }

  const { signedOut } = await storeNewPassword(deps, user, input.newPassword, {
    event: passwordEvents.changed(user, input.signOutOthers, deps.config.baseUrl),
    meta,
    signOut: input.signOutOthers ? { exceptSid: context.currentSid, actorId: user.id, reason: "password_changed" } : undefined,
    keepSession: context.keepSession,
  });
  return { signedOutOthers: signedOut };
}

// The answer never depends on whether the account exists. Both cases look the
// account up and spend a rate-limit slot; the account-specific work (a row, a
// mail) is returned as a follow-up the route runs after the response is
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

// The link row, its event and its mail commit together through the outbox,
// so a link that was promised is never lost to a Redis blink.
async function deliverResetLink(deps: PasswordDeps, user: User, meta: RequestMeta): Promise<void> {
  if (!mayResetPassword(user)) {
    await enqueueMail(deps.db, noPasswordToResetMail(user.email, user.username, deps.config.baseUrl, user.language));
    return;
  }
  const { token, tokenHash } = newResetToken();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // Reset links go to the account's address whether or not it is verified;
    // using one verifies it (completePasswordReset).
    await insertPasswordReset(tx, { userId: user.id, tokenHash, expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS), createdAt: now, sentTo: user.email });
    await recordEvent(tx, passwordEvents.resetRequested(user), meta, now);
    // The raw token exists only here and in the mail; it is never logged.
    await enqueueMail(tx, resetLinkMail(user.email, user.username, `${deps.config.baseUrl}/reset-password/${token}`, user.language));
  });
}

// A password can be reset, or set for the first time by an account created
// through a sign-in provider (GitHub, Discord, OIDC: it starts without one).
// Workspace SSO accounts never get a password here.
function mayResetPassword(user: Pick<User, "passwordHash" | "signedUpWithProvider">): boolean {
  return Boolean(user.passwordHash) || user.signedUpWithProvider;
}

export type ResetLinkState = { usable: true; link: ResetLink } | { usable: false; reason: "invalid" | "expired" | "used" };

// Looks a link up without using it. Accounts that cannot have a password set
// this way (single sign-on, locked, cancelled) make the link invalid.
export async function inspectResetLink(deps: Pick<Deps, "db" | "clock">, throttle: ResetThrottle, token: string, meta: RequestMeta): Promise<ResetLinkState> {
  await throttle.assertLinkCheckAllowed(meta.ip);
  const link = isWellFormedResetToken(token) ? await findResetByTokenHash(deps.db, hashResetToken(token)) : undefined;
  let state: ResetLinkState;
  if (!link || !mayResetPassword(link.user) || link.user.status !== "active") state = { usable: false, reason: "invalid" };
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
  const change = { event: passwordEvents.reset(user, deps.config.baseUrl), meta, signOut: { exceptSid: null, actorId: user.id, reason: "password_reset" } };
  await storeNewPassword(deps, user, input.newPassword, change, async (tx, now) => {
    const consumed = await consumeReset(tx, hashResetToken(token), now);
    if (!consumed || consumed.userId !== user.id) {
      // 409, not 410: the form shows it (only a race gets here; a used link is caught before).
      throw new AppError(409, "RESET_LINK_USED", { message: "password:errors.linkUsed" });
    }
    if (consumed.sentTo) await markEmailVerifiedByReset(tx, user.id, consumed.sentTo, now);
  });
}
