import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import type { Deps } from "../../platform/deps.js";
import { AppError, isUniqueViolation, notFound } from "../../platform/errors.js";
import { hashPassword } from "../../platform/crypto/passwords.js";
import { enqueueMail } from "../../platform/queue.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { assertNewAccountAllowed } from "../auth/index.js";
import { insertUser, translateUniqueViolation, users, type User } from "../users/index.js";
import { memberships, type Workspace } from "../workspaces/index.js";
import { invitationEvents } from "./events.js";
import { invitationMail } from "./mails.js";
import { findInvitationByTokenHash, findInviteeLanguage, findOpenInvitationByEmail, insertInvitation, listOpenInvitations, lockInvitationInWorkspace, markAccepted, markRevoked, replaceToken } from "./repo.js";
import type { Invitation, InvitationRole } from "./tables.js";
import { hashInvitationToken, INVITATION_TTL_MS, isWellFormedInvitationToken, newInvitationToken } from "./tokens.js";

type InvitationDeps = Pick<Deps, "db" | "clock" | "config">;
type Inviter = { id: string; username: string };

export { listOpenInvitations };

const alreadyMember = () => new AppError(409, "ALREADY_MEMBER", { field: "email", message: "codes:more.alreadyMember" });
const alreadyInvited = () => new AppError(409, "ALREADY_INVITED", { field: "email", message: "codes:more.alreadyInvited" });

async function isMemberByEmail(db: Db, workspaceId: string, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(sql`lower(${users.email})`, email.toLowerCase()), ne(users.status, "cancelled")))
    .limit(1);
  return Boolean(row);
}

async function sendLink(tx: Db, deps: InvitationDeps, inviter: Inviter, workspace: Workspace, invitation: Invitation, token: string) {
  const link = `${deps.config.baseUrl}/invitations/${token}`;
  // Written in the invitee's language: the saved one of an account already
  // using this address, else English. Not the inviter's (a workspace admin's
  // choice says nothing about a stranger's), and not a browser's: no request
  // of the invitee's exists when the mail is written.
  const language = await findInviteeLanguage(tx, invitation.email);
  await enqueueMail(tx, invitationMail(invitation.email, inviter.username, workspace.name, invitation.role, link, language));
}

// The row, its mail and its record commit together (the mail through the
// outbox); the token exists only in the mail.
export async function createInvitation(deps: InvitationDeps, inviter: Inviter, workspace: Workspace, input: { email: string; role: InvitationRole }, meta: RequestMeta): Promise<Invitation> {
  if (await isMemberByEmail(deps.db, workspace.id, input.email)) throw alreadyMember();
  if (await findOpenInvitationByEmail(deps.db, workspace.id, input.email)) throw alreadyInvited();
  const now = deps.clock.now();
  const { token, tokenHash } = newInvitationToken();
  return deps.db
    .transaction(async (tx) => {
      const invitation = await insertInvitation(tx, { workspaceId: workspace.id, email: input.email, role: input.role, tokenHash, invitedBy: inviter.id, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS), createdAt: now });
      await sendLink(tx, deps, inviter, workspace, invitation, token);
      await recordEvent(tx, invitationEvents.sent(inviter.id, invitation), meta, now);
      return invitation;
    })
    .catch((error) => {
      if (isUniqueViolation(error, "invitations_open_per_email")) throw alreadyInvited();
      throw error;
    });
}

async function withOpenInvitation<T>(deps: InvitationDeps, workspace: Workspace, id: string, change: (tx: Db, invitation: Invitation, now: Date) => Promise<T>): Promise<T> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const invitation = await lockInvitationInWorkspace(tx, workspace.id, id);
    if (!invitation) throw notFound();
    if (invitation.acceptedAt || invitation.revokedAt) throw new AppError(409, "INVITATION_CLOSED", { message: "invitations:errors.closed", details: { email: invitation.email, state: invitation.acceptedAt ? "invitations:errors.accepted" : "invitations:errors.revoked" } });
    return change(tx, invitation, now);
  });
}

// A new link replaces the old one (which stops working) and runs 7 days again.
export async function resendInvitation(deps: InvitationDeps, inviter: Inviter, workspace: Workspace, id: string, meta: RequestMeta): Promise<Invitation> {
  return withOpenInvitation(deps, workspace, id, async (tx, invitation, now) => {
    const { token, tokenHash } = newInvitationToken();
    await replaceToken(tx, invitation.id, tokenHash, new Date(now.getTime() + INVITATION_TTL_MS));
    await sendLink(tx, deps, inviter, workspace, invitation, token);
    await recordEvent(tx, invitationEvents.resent(inviter.id, invitation), meta, now);
    return invitation;
  });
}

export async function revokeInvitation(deps: InvitationDeps, actorId: string, workspace: Workspace, id: string, meta: RequestMeta): Promise<Invitation> {
  return withOpenInvitation(deps, workspace, id, async (tx, invitation, now) => {
    await markRevoked(tx, invitation.id, now);
    await recordEvent(tx, invitationEvents.revoked(actorId, invitation), meta, now);
    return invitation;
  });
}

export type InvitationState = "open" | "expired" | "accepted" | "revoked";

function stateOf(invitation: Invitation, now: Date): InvitationState {
  if (invitation.acceptedAt) return "accepted";
  if (invitation.revokedAt) return "revoked";
  if (invitation.expiresAt.getTime() <= now.getTime()) return "expired";
  return "open";
}

const CLOSED: Record<Exclude<InvitationState, "open">, { status: number; message: string }> = {
  expired: { status: 410, message: "codes:more.invitationExpired" },
  accepted: { status: 410, message: "codes:more.invitationUsed" },
  revoked: { status: 410, message: "codes:more.invitationRevoked" },
};
const unknownLink = () => new AppError(404, "INVITATION_NOT_FOUND", { message: "codes:more.invitationInvalid" });

// What the link's page shows; a closed link says why (and nothing about the workspace).
export async function lookupInvitation(deps: InvitationDeps, token: string, tx: Db = deps.db, lock = false) {
  if (!isWellFormedInvitationToken(token)) throw unknownLink();
  const found = await findInvitationByTokenHash(tx, hashInvitationToken(token), lock);
  if (!found) throw unknownLink();
  const state = stateOf(found.invitation, deps.clock.now());
  if (state !== "open") throw new AppError(CLOSED[state].status, `INVITATION_${state.toUpperCase()}`, { message: CLOSED[state].message });
  return found;
}

export const emailMatches = (user: Pick<User, "email">, invitation: Pick<Invitation, "email">) => user.email.toLowerCase() === invitation.email.toLowerCase();

async function join(tx: Db, invitation: Invitation, userId: string, now: Date, meta: RequestMeta) {
  await tx.insert(memberships).values({ workspaceId: invitation.workspaceId, userId, role: invitation.role, createdAt: now }).onConflictDoNothing();
  await markAccepted(tx, invitation.id, userId, now);
  await recordEvent(tx, invitationEvents.accepted(userId, invitation), meta, now);
}

// Single use: the row is locked, so two clicks (or two tabs) join once and
// the second sees "already used".
export async function acceptInvitation(deps: InvitationDeps, token: string, user: User, meta: RequestMeta): Promise<Workspace> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const { invitation, workspace } = await lookupInvitation(deps, token, tx, true);
    if (!emailMatches(user, invitation)) {
      throw new AppError(403, "INVITATION_OTHER_ADDRESS", { message: "invitations:errors.otherAddress", details: { email: invitation.email } });
    }
    await join(tx, invitation, user.id, now, meta);
    return workspace;
  });
}

// A new account for the invited address: the invitation is the permission
// (it works while open registration is off) and the proof that the address
// is the person's (the link came to it), so the email counts as verified.
export async function registerThroughInvitation(
  deps: InvitationDeps,
  token: string,
  input: { username: string; password: string },
  meta: RequestMeta,
): Promise<{ user: User; workspace: Workspace }> {
  const { invitation } = await lookupInvitation(deps, token);
  await assertNewAccountAllowed(deps, { username: input.username, email: invitation.email, password: input.password });
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  return deps.db
    .transaction(async (tx) => {
      const locked = await lookupInvitation(deps, token, tx, true);
      const created = await insertUser(tx, { username: input.username, email: locked.invitation.email, passwordHash });
      await tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, created.id));
      await join(tx, locked.invitation, created.id, now, meta);
      return { user: created, workspace: locked.workspace };
    })
    .catch((error) => {
      if (error instanceof AppError) throw error;
      return translateUniqueViolation(error);
    });
}
