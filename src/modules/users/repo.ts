import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "./tables.js";

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  return row?.count ?? 0;
}

function prepareFindUserByLogin(db: Db, by: "email" | "username") {
  return db
    .select()
    .from(users)
    .where(and(eq(sql`lower(${users[by]})`, sql.placeholder("lowered")), ne(users.status, "cancelled")))
    .limit(1)
    .prepare(`find_user_by_${by}`);
}

// Built once per database (every sign-in asks), as loadUserWithMemberships.
const preparedFindUserByLogin = new WeakMap<Db, Record<"email" | "username", ReturnType<typeof prepareFindUserByLogin>>>();

// Username or email, case-insensitively; cancelled accounts are gone for sign-in.
export async function findUserByLogin(db: Db, identifier: string): Promise<User | undefined> {
  const lowered = identifier.trim().toLowerCase();
  let prepared = preparedFindUserByLogin.get(db);
  if (!prepared) preparedFindUserByLogin.set(db, (prepared = { email: prepareFindUserByLogin(db, "email"), username: prepareFindUserByLogin(db, "username") }));
  const [user] = await prepared[lowered.includes("@") ? "email" : "username"].execute({ lowered });
  return user;
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

export async function isUsernameTaken(db: Db, username: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.username})`, username.toLowerCase())).limit(1);
  return Boolean(row);
}

export async function isEmailTaken(db: Db, email: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email.toLowerCase()), ne(users.status, "cancelled")))
    .limit(1);
  return Boolean(row);
}

export async function insertUser(
  db: Db,
  values: { username: string; email: string; passwordHash: string | null; isInstanceAdmin?: boolean },
): Promise<User> {
  const [user] = await db.insert(users).values(values).returning();
  return user!;
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
}

// The credential epoch: every session that proved itself before `at` is
// signed out at its next request (web/current-user.ts checks it).
export async function revokeSessionsBefore(db: Db, userId: string, at: Date): Promise<void> {
  await db.update(users).set({ sessionsValidAfter: at }).where(eq(users.id, userId));
}

// Display preferences (profile): null means "not chosen".
export async function updateDisplayPreferences(db: Db, userId: string, preferences: { language: string | null; timeZone: string | null }): Promise<void> {
  await db.update(users).set({ language: preferences.language, timeZone: preferences.timeZone, updatedAt: new Date() }).where(eq(users.id, userId));
}

// The browser's zone, saved at sign-in only while the account has none.
export async function rememberTimeZoneIfUnset(db: Db, userId: string, timeZone: string): Promise<void> {
  await db.update(users).set({ timeZone }).where(and(eq(users.id, userId), isNull(users.timeZone)));
}
