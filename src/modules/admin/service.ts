import { schedulePurge } from "../cancellation/index.js";
import type { Db } from "../../platform/db.js";
import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import { hashPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { assertNewAccountAllowed } from "../auth/index.js";
import { writeRegistrationOpen } from "../instance-settings/index.js";
import { assertPasswordAllowed, storeNewPassword, type NewPasswordInput } from "../password/index.js";
import { changeEndingSessions } from "../sessions/index.js";
import { isTwoFactorEnabled, resetTwoFactor } from "../two-factor/index.js";
import { emailTaken, findUserById, insertUser, isEmailTaken, isUsernameTaken, translateUniqueViolation, usernameTaken, type User } from "../users/index.js";
import { auditActorId, type AdminActor } from "./actor.js";
import { adminEvents } from "./events.js";
import { adminPolicy, type Decision } from "./policy.js";
import { cancelAccount, listUsersPage, lockActiveAdmins, lockUser, ownedWorkspaceNames, replaceEmail, replaceUsername, requirePasswordChange, setInstanceAdmin, setStatus, workspacesOfUsers } from "./repo.js";
import type { CreateUserInput } from "./schema.js";

type AdminDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex" | "logger">;

function assertAllowed(decision: Decision, status = 409): void {
  if (!decision.allowed) throw new AppError(status, decision.code, { message: decision.message, details: decision.details });
}

export async function requireUserById(deps: Pick<Deps, "db">, id: string): Promise<User> {
  const user = await findUserById(deps.db, id);
  if (!user) throw notFound();
  return user;
}

export async function listUsers(deps: Pick<Deps, "db">, query: { q?: string; after?: string }) {
  const page = await listUsersPage(deps.db, query);
  const workspaces = await workspacesOfUsers(deps.db, page.rows.map((user) => user.id));
  return { ...page, workspaces };
}

// A change to one account, made on its row locked for the transaction.
async function withLockedUser<T>(deps: AdminDeps, id: string, change: (tx: Db, subject: User, at: Date) => Promise<T>): Promise<T> {
  const at = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const subject = await lockUser(tx, id);
    if (!subject) throw notFound();
    return change(tx, subject, at);
  });
}

const staleRow = (field: "username" | "email") =>
  new AppError(409, "STALE_ROW", { field, message: field === "username" ? "admin:errors.staleUsername" : "admin:errors.staleEmail" });

// Inline edits carry the value the administrator saw (`current`): if the row
// holds something else now, someone changed it meanwhile and nothing is written.
export async function changeUsername(deps: AdminDeps, actor: AdminActor, id: string, input: { current: string; username: string }, meta: RequestMeta): Promise<User> {
  return withLockedUser(deps, id, async (tx, subject, at) => {
    assertAllowed(adminPolicy.canEdit(subject));
    if (subject.username !== input.current) throw staleRow("username");
    if (input.username === subject.username) return subject;
    if (input.username.toLowerCase() !== subject.username.toLowerCase() && (await isUsernameTaken(tx, input.username))) throw usernameTaken();
    if (!(await replaceUsername(tx, id, input.current, input.username, at))) throw staleRow("username");
    await recordEvent(tx, adminEvents.usernameChanged(actor, subject, subject.username, input.username), meta, at);
    return { ...subject, username: input.username };
  }).catch(translateUniqueViolation);
}

// The new address is unverified until its owner confirms it; the old one is told.
export async function changeEmail(deps: AdminDeps, actor: AdminActor, id: string, input: { current: string; email: string }, meta: RequestMeta): Promise<User> {
  return withLockedUser(deps, id, async (tx, subject, at) => {
    assertAllowed(adminPolicy.canEdit(subject));
    if (subject.email !== input.current) throw staleRow("email");
    if (input.email === subject.email) return subject;
    if (input.email.toLowerCase() !== subject.email.toLowerCase() && (await isEmailTaken(tx, input.email))) throw emailTaken();
    if (!(await replaceEmail(tx, id, input.current, input.email, at))) throw staleRow("email");
    await recordEvent(tx, adminEvents.emailChanged(actor, subject, input.email), meta, at);
    return { ...subject, email: input.email, emailVerifiedAt: null };
  }).catch(translateUniqueViolation);
}

// The 2FA toggle: off is an administrator's reset; on is the user's to do.
export async function setTwoFactor(deps: AdminDeps, actor: AdminActor, subject: User, enabled: boolean, meta: RequestMeta): Promise<void> {
  if (enabled) {
    if (isTwoFactorEnabled(subject)) return;
    assertAllowed(adminPolicy.canTurnOnTwoFactorOf(subject), 422);
  }
  await resetTwoFactorAsAdmin(deps, actor, subject, meta);
}

export async function resetTwoFactorAsAdmin(deps: AdminDeps, actor: AdminActor, subject: User, meta: RequestMeta): Promise<void> {
  assertAllowed(adminPolicy.canResetTwoFactorOf(actor, subject, isTwoFactorEnabled(subject)));
  await resetTwoFactor(deps, auditActorId(actor), subject, null, meta);
}

// The administrator chooses the password, so every session of the account
// ends (whoever holds one may be the reason for the reset) and the owner is
// told by email.
export async function setPasswordAsAdmin(deps: AdminDeps, actor: AdminActor, subject: User, input: NewPasswordInput, meta: RequestMeta): Promise<{ signedOut: number }> {
  assertAllowed(adminPolicy.canSetPasswordOf(actor, subject));
  assertPasswordAllowed(input.newPassword, subject);
  return storeNewPassword(deps, subject, input.newPassword, {
    event: adminEvents.passwordSet(actor, subject, deps.config.baseUrl),
    meta,
    signOut: { exceptSid: null, actorId: auditActorId(actor), reason: "admin_password_set" },
  });
}

// Same rules as registration (password policy, unique username and email);
// the welcome mail never contains the password.
export async function createUserAsAdmin(deps: AdminDeps, actor: AdminActor, input: CreateUserInput, meta: RequestMeta): Promise<User> {
  await assertNewAccountAllowed(deps, input);
  const passwordHash = await hashPassword(input.password);
  const at = deps.clock.now();
  return deps.db
    .transaction(async (tx) => {
      const created = await insertUser(tx, { username: input.username, email: input.email, passwordHash, isInstanceAdmin: input.isInstanceAdmin });
      if (input.mustChangePassword) await requirePasswordChange(tx, created.id, at);
      await recordEvent(tx, adminEvents.userCreated(actor, created, input.mustChangePassword, deps.config.baseUrl), meta, at);
      return created;
    })
    .catch(translateUniqueViolation);
}

// Disabling ends every session in the same transaction (the credential
// epoch), so "disabled" always means "signed out" too.
export async function disableUser(deps: AdminDeps, actor: AdminActor, id: string, meta: RequestMeta): Promise<User> {
  const at = deps.clock.now();
  return changeEndingSessions(deps, { userId: id, at, exceptSid: null, actorId: auditActorId(actor), reason: "account_disabled", meta }, async (tx) => {
    const activeAdmins = await lockActiveAdmins(tx);
    const locked = await lockUser(tx, id);
    if (!locked) throw notFound();
    assertAllowed(adminPolicy.canDisable(actor, locked, activeAdmins));
    await setStatus(tx, id, "locked", at);
    await recordEvent(tx, adminEvents.disabled(actor, locked), meta, at);
    return locked;
  });
}

export async function enableUser(deps: AdminDeps, actor: AdminActor, id: string, meta: RequestMeta): Promise<User> {
  return withLockedUser(deps, id, async (tx, subject, at) => {
    assertAllowed(adminPolicy.canEnable(subject));
    await setStatus(tx, id, "active", at);
    await recordEvent(tx, adminEvents.enabled(actor, subject), meta, at);
    return subject;
  });
}

export async function deleteUser(deps: AdminDeps, actor: AdminActor, id: string, meta: RequestMeta): Promise<User> {
  const at = deps.clock.now();
  return changeEndingSessions(deps, { userId: id, at, exceptSid: null, actorId: auditActorId(actor), reason: "account_deleted", meta }, async (tx) => {
    const activeAdmins = await lockActiveAdmins(tx);
    const locked = await lockUser(tx, id);
    if (!locked) throw notFound();
    // Locks the owner memberships too, so a transfer to this account waits.
    const ownedWorkspaces = await ownedWorkspaceNames(tx, id);
    assertAllowed(adminPolicy.canDelete(actor, locked, { activeAdmins, ownedWorkspaces }));
    await recordEvent(tx, adminEvents.deleted(actor, locked), meta, at);
    await cancelAccount(tx, id, at);
    // Like a cancellation: the worker removes what is left of the account.
    await schedulePurge(tx, deps.config, id, at);
    return locked;
  });
}

export async function grantInstanceAdmin(deps: AdminDeps, actor: AdminActor, id: string, meta: RequestMeta): Promise<User> {
  return withLockedUser(deps, id, async (tx, subject, at) => {
    assertAllowed(adminPolicy.canGrantAdmin(subject));
    await setInstanceAdmin(tx, id, true, at);
    await recordEvent(tx, adminEvents.adminGranted(actor, subject), meta, at);
    return subject;
  });
}

export async function revokeInstanceAdmin(deps: AdminDeps, actor: AdminActor, id: string, meta: RequestMeta): Promise<User> {
  const at = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const activeAdmins = await lockActiveAdmins(tx);
    const subject = await lockUser(tx, id);
    if (!subject) throw notFound();
    assertAllowed(adminPolicy.canRevokeAdmin(subject, activeAdmins));
    await setInstanceAdmin(tx, id, false, at);
    await recordEvent(tx, adminEvents.adminRevoked(actor, subject), meta, at);
    return subject;
  });
}

export async function setRegistrationOpen(deps: AdminDeps, actor: AdminActor, open: boolean, meta: RequestMeta): Promise<void> {
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await writeRegistrationOpen(tx, open, actor.id, at);
    await recordEvent(tx, adminEvents.registrationChanged(actor, open), meta, at);
  });
}
