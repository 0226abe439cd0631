import { and, asc, count, eq, ne } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "../users/index.js";
import { identityProviders, linkedIdentities, type IdentityProvider, type LinkedIdentity } from "./tables.js";

export function listProviders(db: Db): Promise<IdentityProvider[]> {
  return db.select().from(identityProviders).orderBy(asc(identityProviders.createdAt), asc(identityProviders.name));
}

export async function findProviderBySlug(db: Db, slug: string): Promise<IdentityProvider | undefined> {
  const [row] = await db.select().from(identityProviders).where(eq(identityProviders.slug, slug)).limit(1);
  return row;
}

export async function insertProvider(db: Db, values: typeof identityProviders.$inferInsert): Promise<IdentityProvider> {
  const [row] = await db.insert(identityProviders).values(values).returning();
  return row!;
}

export async function updateProvider(db: Db, id: string, values: Partial<typeof identityProviders.$inferInsert>): Promise<IdentityProvider | undefined> {
  const [row] = await db.update(identityProviders).set(values).where(eq(identityProviders.id, id)).returning();
  return row;
}

export type IdentityWithProvider = { identity: LinkedIdentity; provider: IdentityProvider };

export function listIdentitiesOfUser(db: Db, userId: string): Promise<IdentityWithProvider[]> {
  return db
    .select({ identity: linkedIdentities, provider: identityProviders })
    .from(linkedIdentities)
    .innerJoin(identityProviders, eq(identityProviders.id, linkedIdentities.providerId))
    .where(eq(linkedIdentities.userId, userId))
    .orderBy(asc(linkedIdentities.createdAt));
}

// The one account an identity (provider, subject) belongs to.
export async function findIdentity(db: Db, providerId: string, subject: string): Promise<{ identity: LinkedIdentity; user: User } | undefined> {
  const [row] = await db
    .select({ identity: linkedIdentities, user: users })
    .from(linkedIdentities)
    .innerJoin(users, eq(users.id, linkedIdentities.userId))
    .where(and(eq(linkedIdentities.providerId, providerId), eq(linkedIdentities.subject, subject)))
    .limit(1);
  return row;
}

export async function insertIdentity(db: Db, values: typeof linkedIdentities.$inferInsert): Promise<LinkedIdentity> {
  const [row] = await db.insert(linkedIdentities).values(values).returning();
  return row!;
}

export async function deleteIdentity(db: Db, userId: string, providerId: string): Promise<LinkedIdentity | undefined> {
  const [row] = await db
    .delete(linkedIdentities)
    .where(and(eq(linkedIdentities.userId, userId), eq(linkedIdentities.providerId, providerId)))
    .returning();
  return row;
}

export async function deleteIdentityById(db: Db, id: string): Promise<void> {
  await db.delete(linkedIdentities).where(eq(linkedIdentities.id, id));
}

export async function noteIdentitySignIn(db: Db, id: string, at: Date, profile: { login: string | null; email: string | null; avatarUrl: string | null }): Promise<void> {
  await db.update(linkedIdentities).set({ lastSignInAt: at, ...profile }).where(eq(linkedIdentities.id, id));
}

// Identities of the account, other than at `exceptProviderId`, whose
// provider is open for sign-in: each is a way into the account.
export async function countOtherSignInIdentities(db: Db, userId: string, exceptProviderId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(linkedIdentities)
    .innerJoin(identityProviders, eq(identityProviders.id, linkedIdentities.providerId))
    .where(and(eq(linkedIdentities.userId, userId), ne(linkedIdentities.providerId, exceptProviderId), eq(identityProviders.signInEnabled, true)))
    .limit(1);
  return row?.n ?? 0;
}

// Locks the account's row while deciding whether an identity may go, so two
// concurrent unbinds cannot each leave the other as "the remaining way in".
export async function lockUser(db: Db, userId: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId)).for("update").limit(1);
  return row;
}

export async function insertProviderAccount(db: Db, values: { username: string; email: string; emailVerifiedAt: Date | null }): Promise<User> {
  const [row] = await db.insert(users).values({ ...values, passwordHash: null, signedUpWithProvider: true }).returning();
  return row!;
}
