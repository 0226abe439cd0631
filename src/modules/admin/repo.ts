import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "../users/index.js";
import { memberships, workspaces } from "../workspaces/index.js";
import { passwordChangeRequired } from "./tables.js";

export const USER_PAGE_SIZE = 50;

// Escapes LIKE's wildcards so a search for "a_b" means exactly that prefix.
const likePrefix = (term: string) => `${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// lower(username) in byte order: usernames are ASCII, so this is
// alphabetical, and one index (migration 0007) serves both the order and
// username prefix searches.
const usernameKey = sql`(lower(${users.username}) collate "C")`;

// The email branch finds its few matches with the email pattern index and
// sorts them; ordering by the bare key would tempt the planner into walking
// the whole username index looking for matching emails.
const emailBranchOrder = sql`${usernameKey} || ''`;

// One page of accounts in username order, after the last username of the
// previous page (keyset: no OFFSET, so page 2000 costs what page 1 does).
// A search matches a username or an email by prefix; the two are separate
// index scans, each stopping after a page, merged.
export async function listUsersPage(db: Db, options: { q?: string; after?: string; limit?: number }): Promise<{ rows: User[]; next: string | null }> {
  const limit = options.limit ?? USER_PAGE_SIZE;
  const after = options.after ? [sql`${usernameKey} > ${options.after.toLowerCase()}`] : [];
  const page = (condition?: SQL, order: SQL = usernameKey) =>
    db
      .select()
      .from(users)
      .where(and(condition, ...after))
      .orderBy(order)
      .limit(limit + 1);
  let rows: User[];
  if (options.q) {
    const pattern = likePrefix(options.q);
    const [byName, byEmail] = await Promise.all([page(sql`${usernameKey} like ${pattern}`), page(sql`lower(${users.email}) like ${pattern}`, emailBranchOrder)]);
    const merged = new Map([...byName, ...byEmail].map((user) => [user.id, user]));
    rows = [...merged.values()].sort((a, b) => (a.username.toLowerCase() < b.username.toLowerCase() ? -1 : 1)).slice(0, limit + 1);
  } else {
    rows = await page();
  }
  const shown = rows.slice(0, limit);
  return { rows: shown, next: rows.length > limit ? shown.at(-1)!.username.toLowerCase() : null };
}

export async function workspacesOfUsers(db: Db, userIds: string[]) {
  if (userIds.length === 0) return new Map<string, Array<{ name: string; slug: string; role: string }>>();
  const rows = await db
    .select({ userId: memberships.userId, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(inArray(memberships.userId, userIds))
    .orderBy(asc(workspaces.name));
  const byUser = new Map<string, Array<{ name: string; slug: string; role: string }>>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  return byUser;
}

// Inside the transaction that may remove an administrator: locks every
// active administrator's row, so two such changes run one after the other
// and each sees the other's result (never zero administrators).
export async function lockActiveAdmins(tx: Db): Promise<number> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isInstanceAdmin, true), eq(users.status, "active")))
    .orderBy(asc(users.id))
    .for("update");
  return rows.length;
}

export async function lockUser(tx: Db, id: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for("update").limit(1);
  return row;
}

export async function ownedWorkspaceNames(tx: Db, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ name: workspaces.name })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner")))
    .for("update", { of: memberships });
  return rows.map((row) => row.name);
}

// Compare-and-set on the value the administrator saw: false when the row
// changed meanwhile (stale row), so nobody overwrites an edit they never saw.
export async function replaceUsername(tx: Db, id: string, expected: string, username: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(users)
    .set({ username, updatedAt: at })
    .where(and(eq(users.id, id), eq(users.username, expected)))
    .returning({ id: users.id });
  return rows.length === 1;
}

export async function replaceEmail(tx: Db, id: string, expected: string, email: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(users)
    .set({ email, emailVerifiedAt: null, updatedAt: at })
    .where(and(eq(users.id, id), eq(users.email, expected)))
    .returning({ id: users.id });
  return rows.length === 1;
}

export async function setStatus(tx: Db, id: string, status: User["status"], at: Date): Promise<void> {
  await tx.update(users).set({ status, updatedAt: at }).where(eq(users.id, id));
}

export async function setInstanceAdmin(tx: Db, id: string, isInstanceAdmin: boolean, at: Date): Promise<void> {
  await tx.update(users).set({ isInstanceAdmin, updatedAt: at }).where(eq(users.id, id));
}

// Deletion is a cancellation: the row stays (audit rows and foreign keys
// point at it; the username stays reserved so nobody can pose as the
// departed account in old logs) but every credential and contact is wiped,
// the email is freed (the unique index skips cancelled rows) and the
// account leaves every workspace.
export async function cancelAccount(tx: Db, id: string, at: Date): Promise<void> {
  await tx
    .update(users)
    .set({ status: "cancelled", isInstanceAdmin: false, passwordHash: null, totpSecretEncrypted: null, totpEnabledAt: null, phone: null, phoneVerifiedAt: null, loginVerification: "none", updatedAt: at })
    .where(eq(users.id, id));
  await tx.delete(memberships).where(eq(memberships.userId, id));
}

export async function requirePasswordChange(tx: Db, userId: string, since: Date): Promise<void> {
  await tx.insert(passwordChangeRequired).values({ userId, requiredSince: since }).onConflictDoUpdate({ target: passwordChangeRequired.userId, set: { requiredSince: since } });
}

export async function passwordChangeRequiredSince(db: Db, userId: string): Promise<Date | null> {
  const [row] = await db.select({ since: passwordChangeRequired.requiredSince }).from(passwordChangeRequired).where(eq(passwordChangeRequired.userId, userId)).limit(1);
  return row?.since ?? null;
}

export async function listActiveAdmins(db: Db): Promise<User[]> {
  return db.select().from(users).where(and(eq(users.isInstanceAdmin, true), eq(users.status, "active"))).orderBy(asc(users.username));
}
