import { and, count, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type LoginVerificationMethod } from "../users/index.js";
import { backupCodes } from "./tables.js";

export async function saveTotp(db: Db, userId: string, values: { secretEncrypted: string; step: number; at: Date }) {
  await db
    .update(users)
    .set({ totpSecretEncrypted: values.secretEncrypted, totpEnabledAt: values.at, totpLastUsedStep: values.step, loginVerification: "totp", updatedAt: values.at })
    .where(eq(users.id, userId));
}

export async function clearTotp(db: Db, userId: string, at: Date) {
  await db
    .update(users)
    .set({ totpSecretEncrypted: null, totpEnabledAt: null, totpLastUsedStep: null, loginVerification: "none", updatedAt: at })
    .where(eq(users.id, userId));
  await db.delete(backupCodes).where(eq(backupCodes.userId, userId));
}

// Accepts a time step only if it is newer than the stored one, in one
// statement: of two concurrent submissions of the same code, one wins.
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ totpLastUsedStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastUsedStep), lt(users.totpLastUsedStep, step))))
    .returning({ id: users.id });
  return rows.length === 1;
}

export async function replaceBackupCodes(db: Db, userId: string, codeHashes: string[]) {
  await db.delete(backupCodes).where(eq(backupCodes.userId, userId));
  await db.insert(backupCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
}

// Marks one unused code as used; returns false if there was none (or another
// request used it first).
export async function consumeBackupCode(db: Db, userId: string, codeHash: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(backupCodes)
    .set({ usedAt: at })
    .where(and(eq(backupCodes.userId, userId), eq(backupCodes.codeHash, codeHash), isNull(backupCodes.usedAt)))
    .returning({ id: backupCodes.id });
  return rows.length === 1;
}

export async function countUnusedBackupCodes(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ value: count() }).from(backupCodes).where(and(eq(backupCodes.userId, userId), isNull(backupCodes.usedAt)));
  return row?.value ?? 0;
}

export async function setLoginVerification(db: Db, userId: string, method: LoginVerificationMethod, at: Date) {
  await db.update(users).set({ loginVerification: method, updatedAt: at }).where(eq(users.id, userId));
}

