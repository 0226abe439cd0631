import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users } from "../users/index.js";
import { avatars } from "./tables.js";

// Case-insensitive, like the unique index; the user's own row does not count,
// so "alice" may become "Alice".
export async function isUsernameTakenByAnother(db: Db, username: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(sql`lower(${users.username})`, username.toLowerCase()), ne(users.id, userId)))
    .limit(1);
  return Boolean(row);
}

export async function updateUsername(db: Db, userId: string, username: string): Promise<void> {
  await db.update(users).set({ username, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function findAvatar(db: Db, userId: string): Promise<{ image: Buffer; etag: string } | undefined> {
  const [row] = await db.select({ image: avatars.image, etag: avatars.etag }).from(avatars).where(eq(avatars.userId, userId)).limit(1);
  return row;
}

export async function findAvatarEtag(db: Db, userId: string): Promise<string | null> {
  const [row] = await db.select({ etag: avatars.etag }).from(avatars).where(eq(avatars.userId, userId)).limit(1);
  return row?.etag ?? null;
}

export async function upsertAvatar(db: Db, userId: string, image: Buffer, etag: string): Promise<void> {
  const updatedAt = new Date();
  await db
    .insert(avatars)
    .values({ userId, image, etag, updatedAt })
    .onConflictDoUpdate({ target: avatars.userId, set: { image, etag, updatedAt } });
}

export async function deleteAvatar(db: Db, userId: string): Promise<boolean> {
  const deleted = await db.delete(avatars).where(eq(avatars.userId, userId)).returning({ userId: avatars.userId });
  return deleted.length > 0;
}
