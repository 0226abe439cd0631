import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { optionalNoticesMuted, recordEvent } from "../audit/index.js";
import type { User } from "../users/index.js";
import { tokenEvents } from "./events.js";
import { defaultExpiry, expiryProblem, tokenPolicy } from "./policy.js";
import { findTokenOfUser, insertToken, listTokensOfUser, updateToken } from "./repo.js";
import type { CreateTokenInput, ModifyTokenInput } from "./schema.js";
import { DEFAULT_SCOPES, type TokenScope } from "./scopes.js";
import { generateTokenSecret, hashTokenSecret } from "./secret.js";
import type { AccessToken } from "./tables.js";

type TokenDeps = Pick<Deps, "db" | "clock" | "config">;

// Who acts: a signed-in person (tokenScopes null) or a request made with a
// token (its scopes bound what it may grant or touch).
export interface TokenActor {
  id: string;
  isInstanceAdmin: boolean;
  tokenScopes: readonly TokenScope[] | null;
}

export interface IssuedToken {
  token: AccessToken;
  // Shown once, in the response that issued it; never stored.
  secret: string;
}

function assertMayManage(actor: TokenActor, owner: Pick<User, "id">): void {
  if (!tokenPolicy.canManageTokensOf(actor, owner.id)) throw notFound();
}

function assertWithinActorScopes(actor: TokenActor, scopes: readonly string[], field?: string): void {
  const beyond = tokenPolicy.ungrantableScopes(scopes as TokenScope[], actor.tokenScopes);
  if (beyond.length > 0) {
    throw new AppError(403, "SCOPE_NOT_GRANTABLE", { field, message: `This token cannot grant or manage tokens with scopes it lacks: ${beyond.join(", ")}.` });
  }
}

function assertExpiry(expiresAt: Date, now: Date): void {
  const problem = expiryProblem(expiresAt, now);
  if (problem) throw new AppError(422, "INVALID_EXPIRY", { field: "expiresAt", message: problem });
}

export async function listTokens(deps: Pick<Deps, "db">, actor: TokenActor, owner: Pick<User, "id">): Promise<AccessToken[]> {
  assertMayManage(actor, owner);
  return listTokensOfUser(deps.db, owner.id);
}

export async function createToken(deps: TokenDeps, actor: TokenActor, owner: User, input: CreateTokenInput, meta: RequestMeta): Promise<IssuedToken> {
  assertMayManage(actor, owner);
  const now = deps.clock.now();
  const scopes = input.scopes ?? DEFAULT_SCOPES;
  assertWithinActorScopes(actor, scopes, "scopes");
  const expiresAt = input.expiresAt ?? defaultExpiry(now);
  assertExpiry(expiresAt, now);
  const secret = generateTokenSecret();
  const token = await deps.db.transaction(async (tx) => {
    const created = await insertToken(tx, {
      userId: owner.id,
      name: input.name,
      secretHash: hashTokenSecret(secret),
      scopes,
      ipAllowList: input.ipAllowList ?? [],
      expiresAt,
      createdById: actor.id,
      createdAt: now,
    });
    const muted = await optionalNoticesMuted(tx, owner.id);
    await recordEvent(tx, tokenEvents.created(actor.id, owner, created, deps.config.baseUrl, muted), meta, now);
    return created;
  });
  return { token, secret };
}

async function requireToken(deps: Pick<Deps, "db">, actor: TokenActor, owner: Pick<User, "id">, tokenId: string): Promise<AccessToken> {
  assertMayManage(actor, owner);
  const token = await findTokenOfUser(deps.db, owner.id, tokenId);
  if (!token) throw new AppError(404, "TOKEN_NOT_FOUND", { message: "codes:more.noToken" });
  return token;
}

export async function findToken(deps: Pick<Deps, "db">, actor: TokenActor, owner: Pick<User, "id">, tokenId: string): Promise<AccessToken> {
  return requireToken(deps, actor, owner, tokenId);
}

// The secret stays the same: only the name, allow-list and expiry change. An
// unchanged expiry is not re-checked, so an expired token can be renamed.
export async function modifyToken(deps: TokenDeps, actor: TokenActor, owner: Pick<User, "id">, tokenId: string, input: ModifyTokenInput, meta: RequestMeta): Promise<AccessToken> {
  const before = await requireToken(deps, actor, owner, tokenId);
  assertWithinActorScopes(actor, before.scopes);
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() !== before.expiresAt.getTime()) assertExpiry(input.expiresAt, now);
  return deps.db.transaction(async (tx) => {
    const after = await updateToken(tx, before.id, {
      name: input.name ?? before.name,
      ipAllowList: input.ipAllowList ?? before.ipAllowList,
      expiresAt: input.expiresAt ?? before.expiresAt,
      updatedAt: now,
    });
    await recordEvent(tx, tokenEvents.modified(actor.id, owner.id, after, before), meta, now);
    return after;
  });
}

// A new secret replaces the old one in the same statement: from the commit
// on, the old secret is unknown. Name, scopes, allow-list and expiry stay.
export async function rollToken(deps: TokenDeps, actor: TokenActor, owner: User, tokenId: string, meta: RequestMeta): Promise<IssuedToken> {
  const before = await requireToken(deps, actor, owner, tokenId);
  assertWithinActorScopes(actor, before.scopes);
  const now = deps.clock.now();
  const secret = generateTokenSecret();
  const token = await deps.db.transaction(async (tx) => {
    const rolled = await updateToken(tx, before.id, { secretHash: hashTokenSecret(secret), rolledAt: now, updatedAt: now });
    await recordEvent(tx, tokenEvents.rolled(actor.id, owner, rolled, deps.config.baseUrl), meta, now);
    return rolled;
  });
  return { token, secret };
}

export async function deleteToken(deps: TokenDeps, actor: TokenActor, owner: Pick<User, "id">, tokenId: string, meta: RequestMeta): Promise<AccessToken> {
  const before = await requireToken(deps, actor, owner, tokenId);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const deleted = await updateToken(tx, before.id, { deletedAt: now, updatedAt: now });
    await recordEvent(tx, tokenEvents.deleted(actor.id, owner.id, deleted), meta, now);
    return deleted;
  });
}
