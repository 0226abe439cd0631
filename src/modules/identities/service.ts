import { randomBytes } from "node:crypto";
import type { Deps } from "../../platform/deps.js";
import { AppError, isUniqueViolation, notFound } from "../../platform/errors.js";
import { startAuthorization, finishAuthorization, isOidcError, discoverProvider } from "../../platform/oidc.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { reauthEvents } from "../reauth/index.js";
import { isRegistrationOpen } from "../instance-settings/index.js";
import { countPasskeys } from "../passkeys/index.js";
import { isEmailTaken, isUsernameTaken, type User } from "../users/index.js";
import { identityEvents } from "./events.js";
import { identityPolicy, type Decision } from "./policy.js";
import { clientFor, clientSecretBox, kindLabels, readProfile, redirectUriFor, scopeOf, type ProviderProfile } from "./providers.js";
import * as repo from "./repo.js";
import type { NewProviderInput, ProviderUpdateInput } from "./schema.js";
import { FLOW_TTL_MS, type IdentityFlow } from "./slots.js";
import type { IdentityProvider } from "./tables.js";

type IdentityDeps = Pick<Deps, "db" | "config" | "clock">;

function assertAllowed(decision: Decision, status = 409): void {
  if (!decision.allowed) throw new AppError(status, decision.code, { message: decision.message, details: decision.vars });
}

// A refusal with its message key (locales/<lang>/identities.json).
const refusal = (status: number, code: string, key: string, provider?: string) =>
  new AppError(status, code, { message: `identities:errors.${key}`, details: provider ? { provider } : undefined });

const factsOf = (provider: IdentityProvider, profile: Pick<ProviderProfile, "subject" | "login">) => ({
  provider: provider.slug,
  providerName: provider.name,
  subject: profile.subject,
  login: profile.login,
});

export async function requireProvider(deps: Pick<Deps, "db">, slug: string): Promise<IdentityProvider> {
  const provider = await repo.findProviderBySlug(deps.db, slug);
  if (!provider) throw notFound();
  return provider;
}

// ---- Administration (/admin/providers) ----

export const listProviders = (deps: Pick<Deps, "db">) => repo.listProviders(deps.db);

// An OIDC issuer is checked by discovery when it is saved, so a typo is
// reported on the form instead of on everyone's sign-in page.
async function assertDiscoverable(deps: IdentityDeps, issuer: string, clientId: string): Promise<void> {
  try {
    await discoverProvider(issuer, { clientId, timeoutSeconds: deps.config.providers.timeoutMs / 1000 });
  } catch (error) {
    if (!isOidcError(error)) throw error;
    throw new AppError(422, error.code, { field: "issuer", message: error.message });
  }
}

function duplicateProvider(error: unknown, kind: string): never {
  // GitHub and Discord have fixed short names, so either index may answer first.
  const single = isUniqueViolation(error, "identity_providers_single_kind_key") || (kind !== "oidc" && isUniqueViolation(error, "identity_providers_slug_key"));
  if (single) throw new AppError(409, "PROVIDER_EXISTS", { field: "kind", message: "identities:errors.providerExists", details: { provider: kindLabels[kind as "github"] } });
  if (isUniqueViolation(error, "identity_providers_slug_key")) throw new AppError(409, "PROVIDER_SLUG_TAKEN", { field: "slug", message: "identities:errors.slugTaken" });
  throw error;
}

export async function createProvider(deps: IdentityDeps, actor: Pick<User, "id">, input: NewProviderInput, meta: RequestMeta): Promise<IdentityProvider> {
  const issuer = input.kind === "oidc" ? input.issuer!.replace(/\/$/, "") : null;
  if (issuer) await assertDiscoverable(deps, issuer, input.clientId);
  return deps.db
    .transaction(async (tx) => {
      const created = await repo.insertProvider(tx, {
        kind: input.kind,
        slug: input.kind === "oidc" ? input.slug! : input.kind,
        name: input.name,
        issuer,
        clientId: input.clientId,
        // Sealed at rest; the form never shows it back.
        clientSecretSealed: clientSecretBox(deps.config).seal(input.clientSecret),
        signInEnabled: input.signInEnabled,
        linkingEnabled: input.linkingEnabled,
      });
      await recordEvent(tx, identityEvents.providerChanged(actor, created, "created", ["name", "clientId", "clientSecret", "signInEnabled", "linkingEnabled", ...(issuer ? ["issuer"] : [])]), meta, deps.clock.now());
      return created;
    })
    .catch((error: unknown) => duplicateProvider(error, input.kind));
}

export async function changeProvider(deps: IdentityDeps, actor: Pick<User, "id">, slug: string, input: ProviderUpdateInput, meta: RequestMeta): Promise<IdentityProvider> {
  const provider = await requireProvider(deps, slug);
  const issuer = provider.kind === "oidc" ? (input.issuer ?? "").replace(/\/$/, "") : null;
  if (provider.kind === "oidc" && !URL.canParse(issuer ?? "")) throw new AppError(422, "VALIDATION_FAILED", { field: "issuer", message: "identities:errors.issuerInvalid" });
  const changes: Partial<IdentityProvider> = {};
  if (input.name !== provider.name) changes.name = input.name;
  if (input.clientId !== provider.clientId) changes.clientId = input.clientId;
  if (issuer !== provider.issuer) changes.issuer = issuer;
  if (input.signInEnabled !== provider.signInEnabled) changes.signInEnabled = input.signInEnabled;
  if (input.linkingEnabled !== provider.linkingEnabled) changes.linkingEnabled = input.linkingEnabled;
  const fields = Object.keys(changes);
  // An empty secret field keeps the stored secret (which is never shown).
  if (input.clientSecret) {
    changes.clientSecretSealed = clientSecretBox(deps.config).seal(input.clientSecret);
    fields.push("clientSecret");
  }
  if (fields.length === 0) return provider;
  if (changes.issuer) await assertDiscoverable(deps, changes.issuer, input.clientId);
  return deps.db.transaction(async (tx) => {
    const updated = await repo.updateProvider(tx, provider.id, { ...changes, updatedAt: deps.clock.now() });
    if (!updated) throw notFound();
    await recordEvent(tx, identityEvents.providerChanged(actor, updated, "updated", fields), meta, deps.clock.now());
    return updated;
  });
}

// ---- The flow: start at the provider, come back to the callback ----

// Starts a bind or sign-in at the provider: the state, nonce and PKCE
// verifier go into the browser session (the caller stores the flow), only
// the challenge and state travel in the URL.
export async function startFlow(
  deps: IdentityDeps,
  slug: string,
  purpose: IdentityFlow["purpose"],
  user: User | null,
  returnTo: string,
): Promise<{ url: string; flow: IdentityFlow }> {
  const provider = await requireProvider(deps, slug);
  if (purpose === "sign-in" && !provider.signInEnabled) throw refusal(403, "SIGN_IN_DISABLED", "signInDisabled", provider.name);
  if (purpose === "bind" && !provider.linkingEnabled) throw refusal(403, "LINKING_DISABLED", "linkingDisabled", provider.name);
  if (purpose === "reauth") await requireReauthIdentity(deps, user, provider);
  const client = await clientFor(deps.config, provider);
  const { url, pending } = await startAuthorization(client, { redirectUri: redirectUriFor(deps.config, provider), scope: scopeOf(provider.kind) });
  return { url, flow: { providerId: provider.id, purpose, userId: user?.id ?? null, returnTo, startedAt: deps.clock.now().getTime(), pending } };
}

export class FlowExpiredError extends AppError {
  constructor() {
    super(400, "IDENTITY_FLOW_EXPIRED", { message: "identities:errors.flowExpired" });
  }
}

// The provider's answer: checked against this browser session's flow (which
// the caller has already removed from the session, so a callback works
// once), then the code is exchanged and the person read from the provider.
export async function finishFlow(deps: IdentityDeps, slug: string, callbackUrl: string, flow: IdentityFlow | undefined): Promise<{ provider: IdentityProvider; profile: ProviderProfile; flow: IdentityFlow }> {
  const provider = await requireProvider(deps, slug);
  if (!flow || deps.clock.now().getTime() - flow.startedAt > FLOW_TTL_MS) throw new FlowExpiredError();
  // A flow started for another provider answered here: a mix-up (RFC 9207)
  // or a forged callback; the code must not be sent to this provider.
  if (flow.providerId !== provider.id) throw refusal(400, "OIDC_ISSUER_MISMATCH", "providerMixUp");
  const client = await clientFor(deps.config, provider);
  const result = await finishAuthorization(client, callbackUrl, flow.pending);
  const profile = await readProfile(deps.config, provider.kind, client, result);
  return { provider, profile, flow };
}

// ---- Step-up with a bound identity (/reauth) ----

// Which of the account's identities can confirm it is you: those at a
// provider open for sign-in (the same trust as signing in with it).
export async function reauthProvidersOf(deps: Pick<Deps, "db">, user: User): Promise<IdentityProvider[]> {
  return (await repo.listIdentitiesOfUser(deps.db, user.id)).filter((row) => row.provider.signInEnabled).map((row) => row.provider);
}

async function requireReauthIdentity(deps: Pick<Deps, "db">, user: User | null, provider: IdentityProvider) {
  const identity = user ? (await repo.listIdentitiesOfUser(deps.db, user.id)).find((row) => row.provider.id === provider.id) : undefined;
  if (!identity || !provider.signInEnabled) throw refusal(403, "REAUTH_UNAVAILABLE", "reauthUnavailable", provider.name);
  return identity.identity;
}

// The provider vouched for a person: it must be the identity this account
// has bound there, not merely someone who can sign in at that provider.
export async function confirmWithIdentity(deps: IdentityDeps, user: User, provider: IdentityProvider, profile: ProviderProfile, meta: RequestMeta): Promise<void> {
  const bound = await requireReauthIdentity(deps, user, provider);
  if (bound.subject !== profile.subject) throw refusal(403, "REAUTH_OTHER_IDENTITY", "reauthOtherIdentity", provider.name);
  await recordEvent(deps.db, reauthEvents.reauthenticated(user, "linked-account"), meta, deps.clock.now());
}

// ---- Binding and unbinding (/settings/connections) ----

export type BindOutcome = "bound" | "already-bound";

export async function bindIdentity(deps: IdentityDeps, user: User, provider: IdentityProvider, profile: ProviderProfile, meta: RequestMeta): Promise<BindOutcome> {
  const now = deps.clock.now();
  return deps.db
    .transaction(async (tx) => {
      await repo.lockUser(tx, user.id);
      const existing = await repo.findIdentity(tx, provider.id, profile.subject);
      const mine = (await repo.listIdentitiesOfUser(tx, user.id)).find((row) => row.provider.id === provider.id);
      // Keyed by (provider, subject): an identity already bound to another
      // account is refused, whatever its email says.
      assertAllowed(identityPolicy.canBind({ linkingEnabled: provider.linkingEnabled, ownerId: existing?.user.id ?? null, userId: user.id, boundHereAlready: Boolean(mine) }, provider.name));
      if (existing) return "already-bound" as const;
      await repo.insertIdentity(tx, { providerId: provider.id, userId: user.id, subject: profile.subject, login: profile.login, email: profile.email, avatarUrl: profile.avatarUrl, createdAt: now });
      await recordEvent(tx, identityEvents.linked(user, factsOf(provider, profile), deps.config.baseUrl), meta, now);
      return "bound" as const;
    })
    .catch((error: unknown) => {
      // Two binds of one identity racing: the unique index decides.
      if (isUniqueViolation(error, "linked_identities_provider_subject_key")) throw refusal(409, "IDENTITY_BOUND_ELSEWHERE", "boundElsewhere", provider.name);
      if (isUniqueViolation(error, "linked_identities_user_provider_key")) throw refusal(409, "PROVIDER_ALREADY_BOUND", "providerAlreadyBound", provider.name);
      throw error;
    });
}

export async function unbindIdentity(deps: IdentityDeps, user: User, slug: string, meta: RequestMeta): Promise<IdentityProvider> {
  const provider = await requireProvider(deps, slug);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // The account row is locked while deciding, so two concurrent unbinds
    // cannot each count the other as the remaining way in.
    const locked = await repo.lockUser(tx, user.id);
    if (!locked) throw notFound();
    const facts = {
      hasPassword: Boolean(locked.passwordHash),
      singleSignOn: Boolean(locked.ssoWorkspaceId),
      passkeyCount: await countPasskeys(tx, user.id),
      otherSignInIdentities: await repo.countOtherSignInIdentities(tx, user.id, provider.id),
    };
    assertAllowed(identityPolicy.canUnbind(facts, provider.name));
    const removed = await repo.deleteIdentity(tx, user.id, provider.id);
    if (!removed) throw refusal(404, "NOT_BOUND", "notBound", provider.name);
    await recordEvent(tx, identityEvents.unlinked(locked, factsOf(provider, removed), deps.config.baseUrl), meta, now);
  });
  return provider;
}

// ---- Signing in ----

// The account of a bound identity, or a new account for an identity no
// account has (when the provider allows sign-in, registration is open and
// the provider vouches for an email address nobody here uses). Never a
// match by email: an address in use is refused, nothing is linked.
export async function accountForSignIn(deps: IdentityDeps, provider: IdentityProvider, profile: ProviderProfile, meta: RequestMeta): Promise<{ user: User; created: boolean }> {
  if (!provider.signInEnabled) throw refusal(403, "SIGN_IN_DISABLED", "signInDisabled", provider.name);
  const now = deps.clock.now();
  const bound = await repo.findIdentity(deps.db, provider.id, profile.subject);
  if (bound && bound.user.status !== "cancelled") {
    if (bound.user.status !== "active") throw refusal(403, "ACCOUNT_LOCKED", "accountLocked");
    await repo.noteIdentitySignIn(deps.db, bound.identity.id, now, { login: profile.login, email: profile.email, avatarUrl: profile.avatarUrl });
    return { user: bound.user, created: false };
  }
  const decision = identityPolicy.canCreateAccount(
    {
      signInEnabled: provider.signInEnabled,
      registrationOpen: await isRegistrationOpen(deps.db),
      email: profile.email,
      emailVerified: profile.emailVerified,
      emailTaken: profile.email && profile.emailVerified ? await isEmailTaken(deps.db, profile.email) : false,
    },
    provider.name,
  );
  assertAllowed(decision, decision.allowed ? 409 : decision.code === "EMAIL_IN_USE" ? 409 : 403);
  const username = await freeUsername(deps, profile.login ?? profile.email!.split("@")[0]!);
  return deps.db
    .transaction(async (tx) => {
      // A cancelled account's identity is free again: its link goes with it.
      if (bound) await repo.deleteIdentityById(tx, bound.identity.id);
      const user = await repo.insertProviderAccount(tx, { username, email: profile.email!, emailVerifiedAt: now });
      await repo.insertIdentity(tx, { providerId: provider.id, userId: user.id, subject: profile.subject, login: profile.login, email: profile.email, avatarUrl: profile.avatarUrl, createdAt: now, lastSignInAt: now });
      await recordEvent(tx, identityEvents.accountCreated(user, factsOf(provider, profile), deps.config.baseUrl), meta, now);
      return { user, created: true };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error, "users_email_lower_active_key")) assertAllowed(identityPolicy.canCreateAccount({ signInEnabled: true, registrationOpen: true, email: profile.email, emailVerified: true, emailTaken: true }, provider.name));
      if (isUniqueViolation(error, "users_username_lower_key") || isUniqueViolation(error, "linked_identities_provider_subject_key")) {
        throw refusal(409, "SIGN_IN_RACE", "race");
      }
      throw error;
    });
}

// A username from the provider's login: its allowed characters, 3 to 32 of
// them, with a random suffix when the plain one is taken.
async function freeUsername(deps: Pick<Deps, "db">, login: string): Promise<string> {
  let base = login.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  if (base.length < 3) base = `user-${base}`.replace(/-+$/, "");
  if (!(await isUsernameTaken(deps.db, base))) return base;
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = `${base}-${randomBytes(3).toString("hex")}`;
    if (!(await isUsernameTaken(deps.db, candidate))) return candidate;
  }
  throw refusal(409, "SIGN_IN_RACE", "race");
}
