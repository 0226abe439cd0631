import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { SqlDb } from "../../platform/jobs/index.js";
import { auditEvents } from "../audit/index.js";
import { invitations } from "../invitations/index.js";
import { passkeys } from "../passkeys/index.js";
import { passwordResets } from "../password/index.js";
import { avatars } from "../profile/index.js";
import { countOpenTicketsBy } from "../tickets/index.js";
import { accessTokens } from "../tokens/index.js";
import { backupCodes } from "../two-factor/index.js";
import { users, type User } from "../users/index.js";
import { memberships, workspaces } from "../workspaces/index.js";
import { accountCancellations, type AccountCancellation } from "./tables.js";

export async function findUser(db: SqlDb, userId: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row;
}

export async function lockUser(tx: SqlDb, userId: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
  return row;
}

// Locks the owner rows too, so a transfer to this account waits for the decision.
export async function ownedWorkspaces(db: SqlDb, userId: string, lock = false) {
  const query = db
    .select({ name: workspaces.name, slug: workspaces.slug, members: sql<number>`(select count(*)::int from ${memberships} m where m.workspace_id = ${workspaces.id})` })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner")));
  return lock ? query.for("update", { of: memberships }) : query;
}

// What the account would lose, counted for the wizard's summary.
// A workspace the account owns and is the only member of, locked; undefined otherwise.
export async function lockSoleWorkspace(tx: SqlDb, userId: string, slug: string) {
  const [row] = await tx
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug })
    .from(workspaces)
    .innerJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId), eq(memberships.role, "owner")))
    .where(eq(workspaces.slug, slug))
    .for("update", { of: workspaces });
  if (!row) return undefined;
  const [others] = await tx.select({ n: sql<number>`count(*)::int` }).from(memberships).where(and(eq(memberships.workspaceId, row.id), sql`${memberships.userId} <> ${userId}`));
  return { ...row, otherMembers: others?.n ?? 0 };
}

// Memberships, tickets and invitations go with it (foreign keys cascade).
export async function deleteWorkspace(tx: SqlDb, workspaceId: string): Promise<void> {
  await tx.delete(workspaces).where(eq(workspaces.id, workspaceId));
}

export async function lossSummary(db: SqlDb, userId: string) {
  const count = async (table: PgTable, where: SQL) => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table).where(where);
    return row?.n ?? 0;
  };
  const memberOf = await db
    .select({ name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId));
  return {
    workspaces: memberOf,
    openTickets: await countOpenTicketsBy(db, userId),
    tokens: await count(accessTokens, eq(accessTokens.userId, userId)),
    passkeys: await count(passkeys, eq(passkeys.userId, userId)),
    backupCodes: await count(backupCodes, eq(backupCodes.userId, userId)),
    hasAvatar: (await count(avatars, eq(avatars.userId, userId))) > 0,
  };
}

// The account stops existing for sign-in at once: no password, no factors,
// no admin rights, no memberships; the username is released now (the email
// index already ignores cancelled accounts). Personal data goes in the purge.
export async function markCancelled(tx: SqlDb, userId: string, at: Date): Promise<void> {
  await tx
    .update(users)
    .set({
      status: "cancelled",
      username: `cancelled-${userId}`,
      isInstanceAdmin: false,
      passwordHash: null,
      totpSecretEncrypted: null,
      totpEnabledAt: null,
      loginVerification: "none",
      updatedAt: at,
    })
    .where(eq(users.id, userId));
  await tx.delete(memberships).where(eq(memberships.userId, userId));
}

export async function insertCancellation(tx: SqlDb, row: { userId: string; cancelledAt: Date; ticketsCloseBy: Date }): Promise<void> {
  await tx.insert(accountCancellations).values(row);
}

export async function findCancellation(db: SqlDb, userId: string): Promise<AccountCancellation | undefined> {
  const [row] = await db.select().from(accountCancellations).where(eq(accountCancellations.userId, userId));
  return row;
}

export async function markTicketsClosed(db: SqlDb, userId: string, at: Date): Promise<void> {
  await db.update(accountCancellations).set({ ticketsClosedAt: at }).where(and(eq(accountCancellations.userId, userId), sql`${accountCancellations.ticketsClosedAt} is null`));
}

export async function markPurgeStep(db: SqlDb, userId: string, step: string, completedAt: Date | null): Promise<void> {
  await db.update(accountCancellations).set({ purgeStep: step, ...(completedAt ? { purgeCompletedAt: completedAt } : {}) }).where(eq(accountCancellations.userId, userId));
}

// Deletes up to `batchSize` rows of `table` whose `column` is the user;
// returns how many went. Called until it returns 0.
async function deleteBatch(db: SqlDb, table: PgTable & { id: any; userId: any }, userId: string, batchSize: number): Promise<number> {
  const ids = db.select({ id: table.id }).from(table).where(eq(table.userId, userId)).limit(batchSize);
  const gone = await db.delete(table).where(inArray(table.id, ids)).returning({ id: table.id });
  return gone.length;
}

export const purgeBatches = {
  passkeys: (db: SqlDb, userId: string, size: number) => deleteBatch(db, passkeys, userId, size),
  tokens: (db: SqlDb, userId: string, size: number) => deleteBatch(db, accessTokens, userId, size),
  backupCodes: (db: SqlDb, userId: string, size: number) => deleteBatch(db, backupCodes, userId, size),
  passwordResets: (db: SqlDb, userId: string, size: number) => deleteBatch(db, passwordResets, userId, size),
  async avatar(db: SqlDb, userId: string): Promise<number> {
    return (await db.delete(avatars).where(eq(avatars.userId, userId)).returning({ userId: avatars.userId })).length;
  },
  // Invitations addressed to the account (its email is personal data).
  async invitations(db: SqlDb, userId: string, email: string, size: number): Promise<number> {
    const ids = db
      .select({ id: invitations.id })
      .from(invitations)
      .where(or(eq(invitations.acceptedBy, userId), sql`lower(${invitations.email}) = lower(${email})`))
      .limit(size);
    return (await db.delete(invitations).where(inArray(invitations.id, ids)).returning({ id: invitations.id })).length;
  },
  // The workspace keeps its audit trail; the account's IP addresses and
  // browsers and the entries' details go (the entries then show "Cancelled user").
  async auditDetails(db: SqlDb, userId: string, size: number): Promise<number> {
    const ids = db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(or(eq(auditEvents.actorId, userId), eq(auditEvents.subjectId, userId)), or(sql`${auditEvents.ip} is not null`, sql`${auditEvents.userAgent} is not null`, sql`${auditEvents.details} <> '{}'::jsonb`)))
      .limit(size);
    return (await db.update(auditEvents).set({ ip: null, userAgent: null, details: {} }).where(inArray(auditEvents.id, ids)).returning({ id: auditEvents.id })).length;
  },
  // The audit module's per-account tables (migration 0010). Named in SQL
  // because that module does not export them; the purge test's sweep over
  // every user_id column fails if this falls behind the schema.
  // The sso module's identities (issuer + subject of the person) go too, and
  // the identities module's linked accounts (login, email, avatar at GitHub,
  // Discord or an OIDC provider).
  async devicesAndPreferences(db: SqlDb, userId: string): Promise<number> {
    const devices = await db.execute(sql`delete from known_devices where user_id = ${userId}`);
    const preferences = await db.execute(sql`delete from notice_preferences where user_id = ${userId}`);
    const ssoIdentities = await db.execute(sql`delete from sso_identities where user_id = ${userId}`);
    const linked = await db.execute(sql`delete from linked_identities where user_id = ${userId}`);
    return [devices, preferences, ssoIdentities, linked].reduce<number>((sum, result) => sum + ((result as { rowCount?: number }).rowCount ?? 0), 0);
  },
  // Last: the row itself keeps only its id, status and dates.
  async userRow(db: SqlDb, userId: string, at: Date): Promise<void> {
    await db
      .update(users)
      .set({ email: `cancelled-${userId}@cancelled.invalid`, username: `cancelled-${userId}`, emailVerifiedAt: null, phone: null, phoneVerifiedAt: null, passwordHash: null, totpSecretEncrypted: null, totpEnabledAt: null, totpLastUsedStep: null, updatedAt: at })
      .where(eq(users.id, userId));
  },
};
