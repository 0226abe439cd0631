import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "../users/index.js";
import { passwordResets } from "./tables.js";

// Compare-and-swap on the old hash: two changes racing each other cannot both
// win, and a change never silently overwrites one it did not see.
export async function replacePasswordHash(
  db: Db,
  userId: string,
  change: { expectedHash: string | null; newHash: string; changedAt: Date },
): Promise<boolean> {
  const matchesExpected = change.expectedHash === null ? isNull(users.passwordHash) : eq(users.passwordHash, change.expectedHash);
  const rows = await db
    .update(users)
    .set({ passwordHash: change.newHash, passwordChangedAt: change.changedAt, updatedAt: change.changedAt })
    .where(and(eq(users.id, userId), matchesExpected))
    .returning({ id: users.id });
  return rows.length === 1;
}

export async function insertPasswordReset(db: Db, values: { userId: string; tokenHash: string; expiresAt: Date; createdAt: Date; sentTo: string }) {
  await db.insert(passwordResets).values(values);
}

export interface ResetLink {
  id: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  user: User;
}

// Whatever state the link is in; the caller decides what "usable" means.
export async function findResetByTokenHash(db: Db, tokenHash: string): Promise<ResetLink | undefined> {
  const [row] = await db
    .select({ id: passwordResets.id, userId: passwordResets.userId, expiresAt: passwordResets.expiresAt, usedAt: passwordResets.usedAt, user: users })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, tokenHash))
    .limit(1);
  return row;
}

// Single use, decided by the database: of two concurrent submissions of one
// link exactly one gets the row back.
export async function consumeReset(db: Db, tokenHash: string, now: Date): Promise<{ id: string; userId: string; sentTo: string | null } | undefined> {
  const [row] = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning({ id: passwordResets.id, userId: passwordResets.userId, sentTo: passwordResets.sentTo });
  return row;
}

// A used reset link proves the mailbox it was sent to: that address becomes
// verified, if it is still the account's (an address changed since is not).
export async function markEmailVerifiedByReset(db: Db, userId: string, sentTo: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ emailVerifiedAt: now, updatedAt: now })
    .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt), eq(sql`lower(${users.email})`, sentTo.toLowerCase())))
    .returning({ id: users.id });
  return rows.length === 1;
}

// After any password change no older link may set the password again.
export async function voidOutstandingResets(db: Db, userId: string, now: Date): Promise<number> {
  const rows = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning({ id: passwordResets.id });
  return rows.length;
}
