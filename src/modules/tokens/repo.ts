import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { accessTokens, type AccessToken } from "./tables.js";

// Every query about a user's tokens filters by the owner: another user's
// token id is as unknown as a missing one.

export async function listTokensOfUser(db: Db, userId: string): Promise<AccessToken[]> {
  return db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.userId, userId), isNull(accessTokens.deletedAt)))
    .orderBy(desc(accessTokens.createdAt), desc(accessTokens.id));
}

export async function findTokenOfUser(db: Db, userId: string, tokenId: string): Promise<AccessToken | undefined> {
  const [token] = await db
    .select()
    .from(accessTokens)
    .where(and(eq(accessTokens.id, tokenId), eq(accessTokens.userId, userId), isNull(accessTokens.deletedAt)))
    .limit(1);
  return token;
}

// Deleted tokens are found too, so their use is told apart and recorded.
export async function findTokenByHash(db: Db, secretHash: string): Promise<AccessToken | undefined> {
  const [token] = await db.select().from(accessTokens).where(eq(accessTokens.secretHash, secretHash)).limit(1);
  return token;
}

export async function insertToken(
  db: Db,
  values: Pick<AccessToken, "userId" | "name" | "secretHash" | "scopes" | "ipAllowList" | "expiresAt" | "createdById"> & { createdAt: Date },
): Promise<AccessToken> {
  const [token] = await db
    .insert(accessTokens)
    .values({ ...values, updatedAt: values.createdAt })
    .returning();
  return token!;
}

export async function updateToken(db: Db, tokenId: string, changes: Partial<Pick<AccessToken, "name" | "ipAllowList" | "expiresAt" | "secretHash" | "rolledAt" | "deletedAt" | "updatedAt">>) {
  const [token] = await db.update(accessTokens).set(changes).where(eq(accessTokens.id, tokenId)).returning();
  return token!;
}

export async function recordTokenUse(db: Db, tokenId: string, at: Date, ip: string): Promise<void> {
  await db.update(accessTokens).set({ lastUsedAt: at, lastUsedIp: ip }).where(eq(accessTokens.id, tokenId));
}
