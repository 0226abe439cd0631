import { and, asc, count, desc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { passkeys } from "../passkeys/index.js";
import { avatars } from "../profile/index.js";
import { users, type User } from "../users/index.js";
import { memberships, workspaces, type WorkspaceRole } from "../workspaces/index.js";

export const MEMBER_PAGE_SIZE = 25;
export const memberSorts = ["username", "joined", "role"] as const;
export type MemberSort = (typeof memberSorts)[number];

const likePrefix = (term: string) => `${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// Each sort is a key plus the user id as tie-breaker; the cursor is the last
// row's pair, so a page is "after (key, id)" (keyset, no OFFSET).
const SORT_KEYS: Record<MemberSort, { key: SQL; cast: string; value: (row: { user: User; role: WorkspaceRole; joinedAt: Date }) => string }> = {
  username: { key: sql`lower(${users.username})`, cast: "text", value: (row) => row.user.username.toLowerCase() },
  joined: { key: sql`${memberships.createdAt}`, cast: "timestamptz", value: (row) => row.joinedAt.toISOString() },
  role: { key: sql`(case ${memberships.role} when 'owner' then 0 when 'admin' then 1 else 2 end)`, cast: "int", value: (row) => String({ owner: 0, admin: 1, member: 2 }[row.role]) },
};

export interface MemberRow {
  user: User;
  role: WorkspaceRole;
  joinedAt: Date;
  avatarEtag: string | null;
}

export async function listMembersPage(
  db: Db,
  workspaceId: string,
  options: { q?: string; sort: MemberSort; dir: "asc" | "desc"; after?: [string, string] },
): Promise<{ rows: MemberRow[]; next: [string, string] | null }> {
  const { key, cast, value } = SORT_KEYS[options.sort];
  const conditions: SQL[] = [eq(memberships.workspaceId, workspaceId)];
  if (options.q) {
    const pattern = likePrefix(options.q);
    conditions.push(or(like(sql`lower(${users.username})`, pattern), like(sql`lower(${users.email})`, pattern))!);
  }
  if (options.after) {
    const [afterKey, afterId] = options.after;
    const op = options.dir === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${key}, ${users.id}) ${op} (cast(${afterKey} as ${sql.raw(cast)}), cast(${afterId} as uuid))`);
  }
  const order = options.dir === "asc" ? asc : desc;
  const rows = await db
    .select({ user: users, role: memberships.role, joinedAt: memberships.createdAt, avatarEtag: avatars.etag })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(avatars, eq(avatars.userId, users.id))
    .where(and(...conditions))
    .orderBy(order(key), order(users.id))
    .limit(MEMBER_PAGE_SIZE + 1);
  const page = rows.slice(0, MEMBER_PAGE_SIZE);
  const last = page.at(-1);
  return { rows: page, next: rows.length > MEMBER_PAGE_SIZE && last ? [value(last), last.user.id] : null };
}

// Inside a transaction: the membership row, locked.
export async function lockMembership(tx: Db, workspaceId: string, userId: string) {
  const [row] = await tx
    .select({ user: users, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .for("update", { of: memberships })
    .limit(1);
  return row;
}

// Compare-and-set on the role the actor saw.
export async function replaceRole(tx: Db, workspaceId: string, userId: string, expected: WorkspaceRole, role: WorkspaceRole): Promise<boolean> {
  const rows = await tx
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId), eq(memberships.role, expected)))
    .returning({ userId: memberships.userId });
  return rows.length === 1;
}

export async function deleteMembership(tx: Db, workspaceId: string, userId: string): Promise<void> {
  await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
}

export async function insertMembership(tx: Db, workspaceId: string, userId: string, role: WorkspaceRole, at: Date): Promise<boolean> {
  const rows = await tx.insert(memberships).values({ workspaceId, userId, role, createdAt: at }).onConflictDoNothing().returning({ userId: memberships.userId });
  return rows.length === 1;
}

// The workspace row lock that serialises ownership transfers.
export async function lockWorkspace(tx: Db, workspaceId: string) {
  const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).for("update").limit(1);
  return row;
}

// How many passkeys each of a page's members has, in one query.
export async function passkeyCounts(db: Db, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.select({ userId: passkeys.userId, value: count() }).from(passkeys).where(inArray(passkeys.userId, userIds)).groupBy(passkeys.userId);
  return new Map(rows.map((row) => [row.userId, row.value]));
}
