import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { avatars } from "../profile/index.js";
import { users } from "../users/index.js";
import { memberships, workspaces, type Workspace, type WorkspaceRole } from "./tables.js";

export interface WorkspaceMembership {
  userId: string;
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

function prepareListMemberships(db: Db) {
  return db
    .select({ userId: memberships.userId, workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, sql.placeholder("userId")))
    .orderBy(asc(workspaces.name))
    .prepare("list_memberships_of_user");
}

// Built once per database: every sign-in asks (see loadUserWithMemberships).
const preparedListMemberships = new WeakMap<Db, ReturnType<typeof prepareListMemberships>>();

export async function listMembershipsOfUser(db: Db, userId: string): Promise<WorkspaceMembership[]> {
  let prepared = preparedListMemberships.get(db);
  if (!prepared) preparedListMemberships.set(db, (prepared = prepareListMemberships(db)));
  return prepared.execute({ userId });
}

// The signed-in user and every workspace they belong to, in one round trip:
// this runs on every authenticated request. The avatar join reads only the
// etag (never the image), so the header can link the avatar without a query.
function prepareLoadUser(db: Db) {
  return db
    .select({ user: users, workspace: workspaces, role: memberships.role, avatarEtag: avatars.etag })
    .from(users)
    .leftJoin(avatars, eq(avatars.userId, users.id))
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(users.id, sql.placeholder("userId")))
    .orderBy(asc(workspaces.name))
    .prepare("load_user_with_memberships");
}

// Built once per database: building the query on every request was a
// measurable share of a page's CPU (see the benchmark).
const preparedLoadUser = new WeakMap<Db, ReturnType<typeof prepareLoadUser>>();

export async function loadUserWithMemberships(db: Db, userId: string) {
  let prepared = preparedLoadUser.get(db);
  if (!prepared) preparedLoadUser.set(db, (prepared = prepareLoadUser(db)));
  const rows = await prepared.execute({ userId });
  if (rows.length === 0) return undefined;
  const memberships_: WorkspaceMembership[] = rows
    .filter((row) => row.workspace && row.role)
    .map((row) => ({ userId, workspace: row.workspace!, role: row.role! }));
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
