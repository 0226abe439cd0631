import { createHmac, timingSafeEqual } from "node:crypto";
import { translatorFor } from "../../platform/i18n.js";
import type { Db } from "../../platform/db.js";
import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import { enqueueJob } from "../../platform/outbox/index.js";
import { consumeOrOverLimit, redisLimiter, tooManyAttempts } from "../../platform/rate-limit.js";
import { verifyPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { sendCode, verifyCode, type CodeTarget } from "../codes/index.js";
import { changeEndingSessions } from "../sessions/index.js";
import type { User } from "../users/index.js";
import { ticketsCloseBy } from "./business-days.js";
import { cancellationEvents } from "./events.js";
import { closeTicketsJob, purgeAccountJob, purgeSteps } from "./jobs.js";
import { cancellationPolicy, type VerifyMethod } from "./policy.js";
import * as repo from "./repo.js";

const CODE_PURPOSE = "cancel-account";
export const VERIFICATION_MINUTES = 15;

// SSO accounts and cancelled ones: the page does not exist for them.
export function assertMayCancel(user: User): void {
  if (!cancellationPolicy.mayCancel(user)) throw notFound();
}

const codeTarget = (user: User, channel: "email" | "sms"): CodeTarget => ({ userId: user.id, purpose: CODE_PURPOSE, channel, target: channel === "email" ? user.email : user.phone! });

export async function sendVerificationCode(deps: Deps, user: User, channel: "email" | "sms") {
  assertMayCancel(user);
  if (!cancellationPolicy.verifyMethods(user).includes(channel)) throw new AppError(422, "METHOD_UNAVAILABLE", { field: "channel", message: "cancellation:errors.methodUnavailable" });
  return sendCode(deps, codeTarget(user, channel), (code) => translatorFor(user.language)("cancellation:codeMail", { code }));
}

// Wrong passwords count per account (codes count their own tries).
const passwordLimiters = new WeakMap<object, ReturnType<typeof redisLimiter>>();
function passwordLimiter(deps: Deps) {
  let limiter = passwordLimiters.get(deps.redis);
  if (!limiter) passwordLimiters.set(deps.redis, (limiter = redisLimiter(deps.redis, `${deps.config.redisPrefix}cancel-verify`, { points: 5, durationSeconds: 900 })));
  return limiter;
}

export async function verifyIdentity(deps: Deps, user: User, input: { method: VerifyMethod; password?: string; code?: string }): Promise<void> {
  assertMayCancel(user);
  if (!cancellationPolicy.verifyMethods(user).includes(input.method)) throw new AppError(422, "METHOD_UNAVAILABLE", { field: "method", message: "cancellation:errors.methodUnavailable" });
  if (input.method === "password") {
    const ok = await verifyPassword(user.passwordHash!, input.password ?? "");
    if (!ok) {
      const over = await consumeOrOverLimit(passwordLimiter(deps), user.id);
      if (over) throw tooManyAttempts(over, "cancellation:errors.tooManyPasswords");
      throw new AppError(422, "PASSWORD_INCORRECT", { field: "password", message: "cancellation:errors.passwordIncorrect" });
    }
    return;
  }
  await verifyCode(deps, codeTarget(user, input.method), input.code ?? "");
}

export async function wizardState(deps: Pick<Deps, "db" | "config" | "clock">, user: User) {
  const owned = await repo.ownedWorkspaces(deps.db, user.id);
  const loss = await repo.lossSummary(deps.db, user.id);
  return { owned, loss, ticketsCloseBy: ticketsCloseBy(deps.clock.now(), calendarOf(deps.config)) };
}

const calendarOf = (config: Deps["config"]) => ({ timeZone: config.businessTimeZone, holidays: config.businessHolidays });

// Step 2's other way out: a workspace the account alone belongs to can be
// deleted (with everything in it) instead of transferred.
export async function deleteSoleWorkspace(deps: Deps, user: User, input: { slug: string; confirmName: string }, meta: RequestMeta): Promise<string> {
  assertMayCancel(user);
  return deps.db.transaction(async (tx) => {
    const workspace = await repo.lockSoleWorkspace(tx, user.id, input.slug);
    if (!workspace) throw notFound();
    if (workspace.otherMembers > 0) throw new AppError(409, "WORKSPACE_HAS_MEMBERS", { message: "cancellation:errors.workspaceHasMembers" });
    if (input.confirmName !== workspace.name) throw new AppError(422, "NAME_MISMATCH", { field: "confirmName", message: "cancellation:errors.nameMismatch" });
    await recordEvent(tx, cancellationEvents.soleWorkspaceDeleted(user, workspace), meta, deps.clock.now());
    await repo.deleteWorkspace(tx, workspace.id);
    return workspace.name;
  });
}

export function statusToken(secretKey: string, userId: string): string {
  return createHmac("sha256", secretKey).update(`cancellation-status\n${userId}`).digest("base64url");
}

export function statusUrl(config: Deps["config"], userId: string): string {
  return `/account-cancelled/${userId}/${statusToken(config.secretKey, userId)}`;
}

// One transaction: the account is cancelled, its username released, its
// memberships gone, every session ended (credential epoch), the event and its
// mail recorded, and the purge and ticket jobs written to the outbox.
export async function cancelAccount(deps: Deps, user: User, input: { username: string }, meta: RequestMeta): Promise<string> {
  assertMayCancel(user);
  const at = deps.clock.now();
  await changeEndingSessions(deps, { userId: user.id, at, exceptSid: null, actorId: user.id, reason: "account_cancelled", meta }, async (tx) => {
    const locked = await repo.lockUser(tx, user.id);
    // A second submit (or another tab) finds the account already cancelled.
    if (!locked || locked.status === "cancelled") throw new AppError(409, "ALREADY_CANCELLED", { message: "cancellation:errors.alreadyCancelled" });
    assertMayCancel(locked);
    if (input.username !== locked.username) throw new AppError(422, "USERNAME_MISMATCH", { field: "username", message: "cancellation:errors.usernameMismatch" });
    const owned = await repo.ownedWorkspaces(tx, locked.id, true);
    if (owned.length > 0) throw new AppError(409, "OWNS_WORKSPACES", { message: "cancellation:errors.ownsWorkspaces", details: { names: owned.map((w) => w.name).join(", ") } });
    const closeBy = ticketsCloseBy(at, calendarOf(deps.config));
    await recordEvent(tx, cancellationEvents.cancelled(locked, { at: closeBy, zone: deps.config.businessTimeZone }, `${deps.config.baseUrl}${statusUrl(deps.config, locked.id)}`), meta, at);
    await repo.markCancelled(tx, locked.id, at);
    await schedulePurge(tx, deps.config, locked.id, at);
  });
  return statusUrl(deps.config, user.id);
}

// The purge and ticket jobs of a cancelled account, in the transaction that
// cancels it (the owner's wizard, or an administrator's delete).
export async function schedulePurge(tx: Db, config: Deps["config"], userId: string, at: Date): Promise<void> {
  await repo.insertCancellation(tx, { userId, cancelledAt: at, ticketsCloseBy: ticketsCloseBy(at, calendarOf(config)) });
  await enqueueJob(tx, purgeAccountJob, { userId });
  await enqueueJob(tx, closeTicketsJob, { userId });
}

export async function cancellationStatus(deps: Pick<Deps, "db" | "config">, userId: string, token: string) {
  const expected = Buffer.from(statusToken(deps.config.secretKey, userId));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound();
  const cancellation = await repo.findCancellation(deps.db, userId);
  if (!cancellation) throw notFound();
  const doneIndex = cancellation.purgeStep ? purgeSteps.findIndex((step) => step.name === cancellation.purgeStep) : -1;
  // Times as dates: the page shows them in the reader's language and zone (fmt).
  return {
    cancelledAt: cancellation.cancelledAt,
    ticketsCloseBy: cancellation.ticketsCloseBy,
    ticketsClosedAt: cancellation.ticketsClosedAt,
    purgeCompletedAt: cancellation.purgeCompletedAt,
    steps: purgeSteps.map((step, i) => ({ label: step.label, done: i <= doneIndex })),
  };
}
