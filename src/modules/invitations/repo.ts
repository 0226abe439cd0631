import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users } from "../users/index.js";
import { workspaces, type Workspace } from "../workspaces/index.js";
import { invitations, type Invitation, type InvitationRole } from "./tables.js";

const open = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

export async function insertInvitation(
  db: Db,
  values: { workspaceId: string; email: string; role: InvitationRole; tokenHash: string; invitedBy: string; expiresAt: Date; createdAt: Date },
): Promise<Invitation> {
  const [row] = await db.insert(invitations).values(values).returning();
  return row!;
}

export async function findOpenInvitationByEmail(db: Db, workspaceId: string, email: string): Promise<Invitation | undefined> {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(sql`lower(${invitations.email})`, email.toLowerCase()), open))
    .limit(1);
  return row;
}

// Tenant-scoped like members: another workspace's invitation is not found.
export async function lockInvitationInWorkspace(tx: Db, workspaceId: string, id: string): Promise<Invitation | undefined> {
  const [row] = await tx.select().from(invitations).where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId))).for("update").limit(1);
  return row;
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string, lock = false): Promise<{ invitation: Invitation; workspace: Workspace } | undefined> {
  const query = db
    .select({ invitation: invitations, workspace: workspaces })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, tokenHash))
    .limit(1);
  const [row] = lock ? await query.for("update", { of: invitations }) : await query;
  return row;
}

export async function listOpenInvitations(db: Db, workspaceId: string): Promise<Invitation[]> {
  return db.select().from(invitations).where(and(eq(invitations.workspaceId, workspaceId), open)).orderBy(desc(invitations.createdAt));
}

export async function replaceToken(tx: Db, id: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await tx.update(invitations).set({ tokenHash, expiresAt }).where(eq(invitations.id, id));
}

export async function markRevoked(tx: Db, id: string, at: Date): Promise<void> {
  await tx.update(invitations).set({ revokedAt: at }).where(eq(invitations.id, id));
}

export async function markAccepted(tx: Db, id: string, userId: string, at: Date): Promise<void> {
  await tx.update(invitations).set({ acceptedAt: at, acceptedBy: userId }).where(eq(invitations.id, id));
}

// The saved language of an account already using the invited address (not
// cancelled), or null: the invitation mail is written in it.
export async function findInviteeLanguage(db: Db, email: string): Promise<string | null> {
  const [row] = await db
    .select({ language: users.language })
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email.toLowerCase()), sql`${users.status} <> 'cancelled'`))
    .limit(1);
  return row?.language ?? null;
}
