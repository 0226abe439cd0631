import { randomBytes } from "node:crypto";
import type { Config } from "../../config.js";
import { createSecretBox, type SecretBox } from "../../platform/crypto/secret-box.js";
import type { Deps } from "../../platform/deps.js";
import { AppError, isUniqueViolation, notFound, ValidationError } from "../../platform/errors.js";
import { discoverProvider, finishAuthorization, isOidcError, OidcError, startAuthorization, type OidcErrorCode, type OidcProvider, type PendingAuthorization } from "../../platform/oidc.js";
import type { RequestMeta } from "../../web/context.js";
import type { WorkspaceScope } from "../../web/workspace-scope.js";
import { recordEvent } from "../audit/index.js";
import { cleanUpRevocation, commitRevocation, prepareRevocation } from "../sessions/index.js";
import { isEmailTaken, type User } from "../users/index.js";
import type { Workspace } from "../workspaces/index.js";
import { ssoEvents } from "./events.js";
import { ssoPolicy } from "./policy.js";
import * as repo from "./repo.js";
import type { SsoSettingsInput } from "./schema.js";
import type { SsoConfig } from "./tables.js";

export type SsoDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex" | "logger">;

// Sealed under SECRET_KEY for this one purpose: a ciphertext from another
// table (TOTP seeds, provider secrets) does not open here.
const secretBox = (config: Pick<Config, "secretKey">): SecretBox => createSecretBox(config.secretKey, "sso-client-secret");
const timeoutSeconds = (config: Config) => Math.max(1, Math.round(config.providers.timeoutMs / 1000));

export const callbackUrl = (config: Pick<Config, "baseUrl">, slug: string) => `${config.baseUrl}/sso/${encodeURIComponent(slug)}/callback`;

function assertManager(scope: WorkspaceScope) {
  // Tenant scope comes from the URL; the role decides (owner or admin).
  if (!ssoPolicy.canManage(scope.membership.role)) throw new AppError(403, "FORBIDDEN", { message: "sso:errors.forbidden" });
}

function providerFor(deps: SsoDeps, config: Pick<SsoConfig, "issuer" | "clientId" | "clientSecretSealed">): Promise<OidcProvider> {
  return discoverProvider(config.issuer, {
    clientId: config.clientId,
    clientSecret: secretBox(deps.config).open(config.clientSecretSealed),
    timeoutSeconds: timeoutSeconds(deps.config),
  });
}

// ---- Settings (/w/:slug/settings/sso) ----

export async function loadSettings(deps: Pick<Deps, "db">, scope: WorkspaceScope): Promise<SsoConfig | undefined> {
  assertManager(scope);
  return repo.findConfig(deps.db, scope.workspace.id);
}

export async function saveSettings(deps: SsoDeps, actorId: string, scope: WorkspaceScope, input: SsoSettingsInput, meta: RequestMeta): Promise<void> {
  assertManager(scope);
  const workspaceId = scope.workspace.id;
  const existing = await repo.findConfig(deps.db, workspaceId);
  // The secret is never shown back: an empty field keeps the stored one.
  if (!input.clientSecret && !existing) throw new ValidationError({ clientSecret: "sso:validation.secretRequired" });
  const clientSecretSealed = input.clientSecret ? secretBox(deps.config).seal(input.clientSecret) : existing!.clientSecretSealed;
  const values = {
    // Exactly as given: the discovery document's issuer must match it to the
    // character (some providers' issuers end with a slash).
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecretSealed,
    allowedDomains: input.allowedDomains,
    defaultRole: input.defaultRole,
    trustProviderMfa: input.trustProviderMfa,
  };
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await repo.upsertConfig(tx, workspaceId, values, at);
    await repo.setRequireSso(tx, workspaceId, input.requireSso);
    const details = {
      issuer: values.issuer,
      clientId: values.clientId,
      secretChanged: Boolean(input.clientSecret),
      allowedDomains: values.allowedDomains,
      defaultRole: values.defaultRole,
      required: input.requireSso,
      trustProviderMfa: values.trustProviderMfa,
    };
    await recordEvent(tx, ssoEvents.configChanged(actorId, workspaceId, details), meta, at);
  });
}

export type ConnectionReport = { ok: true; issuer: string; authorizationEndpoint: string; tokenEndpoint: string } | { ok: false; code: OidcErrorCode; hint?: string };

// Discovery against the issuer in the form (or the saved one): reports what
// was found or exactly what failed; changes nothing.
export async function testConnection(deps: SsoDeps, scope: WorkspaceScope, issuer: string | undefined): Promise<ConnectionReport> {
  assertManager(scope);
  const saved = await repo.findConfig(deps.db, scope.workspace.id);
  const target = issuer?.trim() || saved?.issuer;
  if (!target) throw new ValidationError({ issuer: "common:validation.required" });
  try {
    const provider = await discoverProvider(target, { clientId: saved?.clientId ?? "test-connection", timeoutSeconds: timeoutSeconds(deps.config) });
    const metadata = provider.configuration.serverMetadata();
    return { ok: true, issuer: provider.issuer, authorizationEndpoint: metadata.authorization_endpoint!, tokenEndpoint: metadata.token_endpoint! };
  } catch (error) {
    if (isOidcError(error)) return { ok: false, code: error.code, hint: error.hint };
    throw error;
  }
}

// Removing SSO never deletes an account; the workspace's SSO accounts are
// signed out everywhere in the same transaction (they have no other way in
// until SSO is configured again, and then they are found by issuer and subject).
export async function removeSettings(deps: SsoDeps, actorId: string, scope: WorkspaceScope, meta: RequestMeta): Promise<{ signedOut: number }> {
  assertManager(scope);
  const workspaceId = scope.workspace.id;
  const config = await repo.findConfig(deps.db, workspaceId);
  if (!config) throw notFound();
  const at = deps.clock.now();
  const userIds = await repo.listSsoAccountIds(deps.db, workspaceId);
  const revocations = await Promise.all(userIds.map((userId) => prepareRevocation(deps, userId, at, null)));
  await deps.db.transaction(async (tx) => {
    await repo.deleteConfig(tx, workspaceId);
    await repo.setRequireSso(tx, workspaceId, false);
    for (const revocation of revocations) await commitRevocation(tx, revocation, { actorId, reason: "sso_removed" }, meta);
    await recordEvent(tx, ssoEvents.configRemoved(actorId, workspaceId, config.issuer, userIds.length), meta, at);
  });
  for (const revocation of revocations) await cleanUpRevocation(deps, revocation);
  return { signedOut: userIds.length };
}

// ---- The sign-in flow (/sso/:slug) ----

export async function workspaceForSignIn(deps: Pick<Deps, "db">, slug: string): Promise<Workspace> {
  const found = await repo.findWorkspaceWithConfigBySlug(deps.db, slug);
  // A workspace without SSO looks like no workspace at all.
  if (!found?.config) throw notFound();
  return found.workspace;
}

export async function workspacesForEmail(deps: Pick<Deps, "db">, email: string): Promise<Workspace[]> {
  return repo.findWorkspacesByDomain(deps.db, email.slice(email.lastIndexOf("@") + 1));
}

export async function startSignIn(deps: SsoDeps, slug: string): Promise<{ workspace: Workspace; url: string; authorization: PendingAuthorization }> {
  const found = await repo.findWorkspaceWithConfigBySlug(deps.db, slug);
  if (!found?.config) throw notFound();
  const provider = await providerFor(deps, found.config);
  const { url, pending } = await startAuthorization(provider, { redirectUri: callbackUrl(deps.config, found.workspace.slug), scope: "openid email profile" });
  return { workspace: found.workspace, url, authorization: pending };
}

export interface SsoSignIn {
  user: User;
  workspace: Workspace;
  providerMfa: boolean;
}

const refusal = (code: string) => new AppError(403, code, { message: `sso:refused.${code}` });

// The callback: the provider's answer is checked (state, nonce, PKCE,
// issuer, audience: platform/oidc.ts), then the account is found by
// (workspace, issuer, subject) — never by email alone — or linked to the
// signed-in member who started the flow, or provisioned just in time.
export async function finishSignIn(
  deps: SsoDeps,
  flow: { workspaceId: string; slug: string; callbackUrl: string; authorization: PendingAuthorization | undefined; signedInUserId: string | null },
  meta: RequestMeta,
): Promise<SsoSignIn> {
  const found = await repo.findWorkspaceWithConfig(deps.db, flow.workspaceId);
  if (!found) throw notFound();
  // A flow started for another workspace cannot finish here.
  if (found.workspace.slug !== flow.slug) throw new OidcError("OIDC_STATE_MISMATCH", "other workspace");
  const { workspace, config } = found;
  const provider = await providerFor(deps, config);
  const result = await finishAuthorization(provider, flow.callbackUrl, flow.authorization);
  const subject = result.subject!;
  const claims = result.claims;
  const email = ssoPolicy.emailUsable(claims) ? claims.email.trim() : null;
  const at = deps.clock.now();
  const providerMfa = ssoPolicy.providerMfaCounts(config.trustProviderMfa, claims);

  const refuse = async (reason: string, subjectId: string | null = null) => {
    await recordEvent(deps.db, ssoEvents.refused(workspace.id, result.issuer, reason, subjectId), meta, at);
    return refusal(reason.toUpperCase());
  };
  if (!email) throw await refuse("no_email");
  // Domains restrict every sign-in, not only the first one.
  if (!ssoPolicy.emailDomainAllowed(email, config.allowedDomains)) throw await refuse("domain_not_allowed");

  const known = await repo.findIdentity(deps.db, workspace.id, result.issuer, subject);
  if (known) {
    const { user, identity } = known;
    if (flow.signedInUserId && flow.signedInUserId !== user.id) throw await refuse("identity_of_other_account", flow.signedInUserId);
    if (user.status !== "active") throw await refuse("account_inactive", user.id);
    // Removed from the workspace by an administrator: SSO does not bring them back.
    if (!(await repo.isMember(deps.db, workspace.id, user.id))) throw await refuse("not_a_member", user.id);
    await deps.db.transaction(async (tx) => {
      await repo.touchIdentity(tx, identity.id, email, at);
      await recordEvent(tx, ssoEvents.signedIn(user, workspace.id, result.issuer, providerMfa), meta, at);
    });
    return { user, workspace, providerMfa };
  }

  if (flow.signedInUserId) return linkToSignedInMember(deps, flow.signedInUserId, workspace, { issuer: result.issuer, subject, email, providerMfa }, meta, refuse);

  // No silent merge: an address that belongs to an account here (local or
  // another workspace's) is refused, and nothing is linked.
  if (await isEmailTaken(deps.db, email)) throw await refuse("email_in_use");
  const user = await provision(deps, workspace, config, { issuer: result.issuer, subject, email, claims }, meta, at).catch(async (error: unknown) => {
    if (isUniqueViolation(error, "users_email_lower_active_key")) throw await refuse("email_in_use");
    // The same identity provisioned by a concurrent callback: sign in as it.
    if (isUniqueViolation(error, "sso_identities_subject_key")) throw refusal("RETRY");
    throw error;
  });
  return { user, workspace, providerMfa };
}

// A signed-in member (a local account) proving they are also this person at
// the workspace's provider: explicit, from their own session, so the
// identity is linked to them (never to an account found by email).
async function linkToSignedInMember(
  deps: SsoDeps,
  userId: string,
  workspace: Workspace,
  identity: { issuer: string; subject: string; email: string; providerMfa: boolean },
  meta: RequestMeta,
  refuse: (reason: string, subjectId?: string | null) => Promise<AppError>,
): Promise<SsoSignIn> {
  const member = await repo.findMemberUser(deps.db, workspace.id, userId);
  if (!member || member.status !== "active") throw await refuse("not_a_member", userId);
  if (await repo.findIdentityOfUser(deps.db, workspace.id, userId)) throw await refuse("other_identity_linked", userId);
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await repo.insertIdentity(tx, { workspaceId: workspace.id, issuer: identity.issuer, subject: identity.subject, userId, email: identity.email }, at);
    await recordEvent(tx, ssoEvents.linked(member, workspace.id, identity.issuer), meta, at);
    await recordEvent(tx, ssoEvents.signedIn(member, workspace.id, identity.issuer, identity.providerMfa), meta, at);
  });
  return { user: member, workspace, providerMfa: identity.providerMfa };
}

async function provision(
  deps: SsoDeps,
  workspace: Workspace,
  config: SsoConfig,
  identity: { issuer: string; subject: string; email: string; claims: Record<string, unknown> },
  meta: RequestMeta,
  at: Date,
): Promise<User> {
  const base = usernameBase(identity.claims, identity.email);
  const taken = await repo.usernamesLike(deps.db, base);
  let username = freeUsername(base, taken);
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.db.transaction(async (tx) => {
        // SSO accounts: bound to this workspace, no password, ever.
        const user = await repo.insertSsoAccount(tx, {
          username,
          email: identity.email,
          workspaceId: workspace.id,
          emailVerifiedAt: identity.claims.email_verified === true ? at : null,
        });
        await repo.insertMembership(tx, workspace.id, user.id, config.defaultRole);
        await repo.insertIdentity(tx, { workspaceId: workspace.id, issuer: identity.issuer, subject: identity.subject, userId: user.id, email: identity.email }, at);
        await recordEvent(tx, ssoEvents.provisioned(user, workspace.id, identity.issuer, config.defaultRole), meta, at);
        await recordEvent(tx, ssoEvents.signedIn(user, workspace.id, identity.issuer, false), meta, at);
        return user;
      });
    } catch (error) {
      // Another account took the name in the meantime: a random suffix.
      if (attempt >= 3 || !isUniqueViolation(error, "users_username_lower_key")) throw error;
      username = `${base.slice(0, 23)}-${randomBytes(4).toString("hex")}`;
    }
  }
}

// preferred_username, else the email's local part, reduced to the username
// alphabet (letters, digits, _ and -), 3 to 32 characters.
export function usernameBase(claims: Record<string, unknown>, email: string): string {
  const preferred = typeof claims.preferred_username === "string" ? claims.preferred_username.split("@")[0]! : "";
  const raw = (preferred || email.split("@")[0]!).normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const cleaned = raw.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 26);
  return cleaned.length >= 3 ? cleaned : `user-${cleaned || randomBytes(3).toString("hex")}`.slice(0, 26);
}

// The first of base, base-2, base-3, … that no account uses (case-insensitively).
export function freeUsername(base: string, taken: Set<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; n < 1000; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  return `${base}-${randomBytes(4).toString("hex")}`;
}

