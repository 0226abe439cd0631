import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { avatars } from "../profile/tables.js";
import { users } from "../users/tables.js";
import { memberships, workspaces, type Workspace, type WorkspaceRole } from "./tables.js";

export interface WorkspaceMembership {
  workspace: Workspace;
  role: WorkspaceRole;
}

export async function insertWorkspaceWithOwner(db: Db, values: { name: string; slug: string; ownerId: string }): Promise<Workspace> {
  const [workspace] = await db.insert(workspaces).values({ name: values.name, slug: values.slug }).returning();
  await db.insert(memberships).values({ workspaceId: workspace!.id, userId: values.ownerId, role: "owner" });
  return workspace!;
}

export async function isSlugTaken(db: Db, slug: string): Promise<boolean> {
  const [row] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug)).limit(1);
  return Boolean(row);
}

export async function listMembershipsOfUser(db: Db, userId: string): Promise<WorkspaceMembership[]> {
  return db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name));
}

// Tenant-scoped lookup: a workspace the user is not a member of does not exist.
export async function findMembershipBySlug(db: Db, userId: string, slug: string): Promise<WorkspaceMembership | undefined> {
  const [row] = await db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(workspaces.slug, slug)))
    .limit(1);
  return row;
}

// The signed-in user and every workspace they belong to, in one round trip:
// this runs on every authenticated request. The avatar join reads only the
// etag (never the image), so the header can link the avatar without a query.
export async function loadUserWithMemberships(db: Db, userId: string) {
  const rows = await db
    .select({ user: users, workspace: workspaces, role: memberships.role, avatarEtag: avatars.etag })
    .from(users)
    .leftJoin(avatars, eq(avatars.userId, users.id))
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(users.id, userId))
    .orderBy(asc(workspaces.name));
  if (rows.length === 0) return undefined;
  const memberships_: WorkspaceMembership[] = rows
    .filter((row) => row.workspace && row.role)
    .map((row) => ({ workspace: row.workspace!, role: row.role! }));
  return { user: rows[0]!.user, memberships: memberships_, avatarEtag: rows[0]!.avatarEtag ?? null };
}

export async function updateSessionLimits(db: Db, workspaceId: string, limits: { sessionIdleMinutes: number; sessionMaxDays: number }) {
  await db.update(workspaces).set(limits).where(eq(workspaces.id, workspaceId));
}

export async function listMembers(db: Db, workspaceId: string) {
  return db
    .select({ user: users, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.username));
}

// Tenant-scoped: a user who is not a member of this workspace is not found.
export async function findMember(db: Db, workspaceId: string, userId: string) {
  const [row] = await db
    .select({ user: users, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .limit(1);
  return row;
}

export async function updateRequireTwoFactor(db: Db, workspaceId: string, requireTwoFactor: boolean) {
  await db.update(workspaces).set({ requireTwoFactor }).where(eq(workspaces.id, workspaceId));
}
