import { and, asc, count, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { passkeys, type Passkey } from "./tables.js";

export async function listPasskeys(db: Db, userId: string): Promise<Passkey[]> {
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt));
}

export async function countPasskeys(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ value: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return row?.value ?? 0;
}

export async function findPasskeyByCredentialId(db: Db, credentialId: string): Promise<Passkey | undefined> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).limit(1);
  return row;
}

// Scoped to the owner: another account's passkey id is not found.
export async function findOwnPasskey(db: Db, userId: string, id: string): Promise<Passkey | undefined> {
  const [row] = await db.select().from(passkeys).where(and(eq(passkeys.userId, userId), eq(passkeys.id, id))).limit(1);
  return row;
}

export async function isNameTaken(db: Db, userId: string, name: string, exceptId?: string): Promise<boolean> {
  const conditions = [eq(passkeys.userId, userId), eq(sql`lower(${passkeys.name})`, name.toLowerCase())];
  if (exceptId) conditions.push(ne(passkeys.id, exceptId));
  const [row] = await db.select({ id: passkeys.id }).from(passkeys).where(and(...conditions)).limit(1);
  return Boolean(row);
}

export async function insertPasskey(db: Db, values: typeof passkeys.$inferInsert): Promise<Passkey> {
  const [row] = await db.insert(passkeys).values(values).returning();
  return row!;
}

// Moves the counter forward only: of two assertions racing with the same
// counter, one wins (the other is a replay or a clone).
export async function recordUse(db: Db, id: string, counter: number, at: Date): Promise<boolean> {
  const rows = await db
    .update(passkeys)
    .set({ counter, lastUsedAt: at })
    .where(and(eq(passkeys.id, id), sql`((${passkeys.counter} = 0 and ${counter} = 0) or ${passkeys.counter} < ${counter})`))
    .returning({ id: passkeys.id });
  return rows.length === 1;
}

export async function renamePasskey(db: Db, userId: string, id: string, name: string): Promise<boolean> {
  const rows = await db.update(passkeys).set({ name }).where(and(eq(passkeys.userId, userId), eq(passkeys.id, id))).returning({ id: passkeys.id });
  return rows.length === 1;
}

export async function deletePasskey(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db.delete(passkeys).where(and(eq(passkeys.userId, userId), eq(passkeys.id, id))).returning({ id: passkeys.id });
  return rows.length === 1;
}
