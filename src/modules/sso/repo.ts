import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "../users/index.js";
import { memberships, workspaces, type Workspace } from "../workspaces/index.js";
import { ssoConfigs, ssoIdentities, type SsoConfig, type SsoDefaultRole } from "./tables.js";

// Every query of the sso module; tenant-scoped ones take the workspace id.

export async function findConfig(db: Db, workspaceId: string): Promise<SsoConfig | undefined> {
  const [row] = await db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspaceId)).limit(1);
  return row;
}

export async function findWorkspaceWithConfigBySlug(db: Db, slug: string): Promise<{ workspace: Workspace; config: SsoConfig | null } | undefined> {
  const [row] = await db
    .select({ workspace: workspaces, config: ssoConfigs })
    .from(workspaces)
    .leftJoin(ssoConfigs, eq(ssoConfigs.workspaceId, workspaces.id))
    .where(eq(workspaces.slug, slug))
    .limit(1);
  return row;
}

export async function findWorkspaceWithConfig(db: Db, workspaceId: string): Promise<{ workspace: Workspace; config: SsoConfig } | undefined> {
  const [row] = await db
    .select({ workspace: workspaces, config: ssoConfigs })
    .from(ssoConfigs)
    .innerJoin(workspaces, eq(ssoConfigs.workspaceId, workspaces.id))
    .where(eq(ssoConfigs.workspaceId, workspaceId))
    .limit(1);
  return row;
}

// The workspaces whose SSO admits this email domain (sign-in by email).
export async function findWorkspacesByDomain(db: Db, domain: string): Promise<Workspace[]> {
  const rows = await db
    .select({ workspace: workspaces })
    .from(ssoConfigs)
    .innerJoin(workspaces, eq(ssoConfigs.workspaceId, workspaces.id))
    .where(sql`${domain.toLowerCase()} = any(${ssoConfigs.allowedDomains})`)
    .orderBy(workspaces.name)
    .limit(5);
  return rows.map((row) => row.workspace);
}

export async function upsertConfig(
  db: Db,
  workspaceId: string,
  values: { issuer: string; clientId: string; clientSecretSealed: string; allowedDomains: string[]; defaultRole: SsoDefaultRole; trustProviderMfa: boolean },
  at: Date,
): Promise<void> {
  await db
    .insert(ssoConfigs)
    .values({ workspaceId, ...values, createdAt: at, updatedAt: at })
    .onConflictDoUpdate({ target: ssoConfigs.workspaceId, set: { ...values, updatedAt: at } });
}

export async function deleteConfig(db: Db, workspaceId: string): Promise<SsoConfig | undefined> {
  const [row] = await db.delete(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspaceId)).returning();
  return row;
}

export async function setRequireSso(db: Db, workspaceId: string, required: boolean): Promise<void> {
  await db.update(workspaces).set({ requireSso: required }).where(eq(workspaces.id, workspaceId));
}

export async function findIdentity(db: Db, workspaceId: string, issuer: string, subject: string) {
  const [row] = await db
    .select({ identity: ssoIdentities, user: users })
    .from(ssoIdentities)
    .innerJoin(users, eq(users.id, ssoIdentities.userId))
    .where(and(eq(ssoIdentities.workspaceId, workspaceId), eq(ssoIdentities.issuer, issuer), eq(ssoIdentities.subject, subject)))
    .limit(1);
  return row;
}

export async function findIdentityOfUser(db: Db, workspaceId: string, userId: string) {
  const [row] = await db
    .select()
    .from(ssoIdentities)
    .where(and(eq(ssoIdentities.workspaceId, workspaceId), eq(ssoIdentities.userId, userId)))
    .limit(1);
  return row;
}

export async function insertIdentity(db: Db, values: { workspaceId: string; issuer: string; subject: string; userId: string; email: string | null }, at: Date) {
  await db.insert(ssoIdentities).values({ ...values, createdAt: at, lastSignInAt: at });
}

export async function touchIdentity(db: Db, id: string, email: string | null, at: Date) {
  await db.update(ssoIdentities).set({ email, lastSignInAt: at }).where(eq(ssoIdentities.id, id));
}

export async function insertSsoAccount(db: Db, values: { username: string; email: string; workspaceId: string; emailVerifiedAt: Date | null }): Promise<User> {
  const [row] = await db
    .insert(users)
    .values({ username: values.username, email: values.email, emailVerifiedAt: values.emailVerifiedAt, passwordHash: null, ssoWorkspaceId: values.workspaceId })
    .returning();
  return row!;
}

export async function insertMembership(db: Db, workspaceId: string, userId: string, role: SsoDefaultRole): Promise<void> {
  await db.insert(memberships).values({ workspaceId, userId, role }).onConflictDoNothing();
}

export async function isMember(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .limit(1);
  return Boolean(row);
}

// Usernames starting with `base`, to pick a free one without a query per try.
export async function usernamesLike(db: Db, base: string): Promise<Set<string>> {
  const rows = await db
    .select({ username: users.username })
    .from(users)
    .where(sql`lower(${users.username}) like ${base.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + "%"}`);
  return new Set(rows.map((row) => row.username.toLowerCase()));
}

// The workspace's own SSO accounts (not cancelled): their sessions end when
// the configuration is removed.
export async function listSsoAccountIds(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.ssoWorkspaceId, workspaceId), ne(users.status, "cancelled")));
  return rows.map((row) => row.id);
}

// The account, if it is a member of the workspace.
export async function findMemberUser(db: Db, workspaceId: string, userId: string): Promise<User | undefined> {
  const [row] = await db
    .select({ user: users })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.user;
}
