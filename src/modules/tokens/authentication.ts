import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { findUserById, type User } from "../users/index.js";
import { tokenEvents } from "./events.js";
import { isAddressAllowed } from "./ip-allow-list.js";
import { tokenPolicy, tokenState } from "./policy.js";
import { findTokenByHash, recordTokenUse } from "./repo.js";
import type { TokenScope } from "./scopes.js";
import { hashTokenSecret, looksLikeToken } from "./secret.js";
import type { AccessToken } from "./tables.js";

type AuthDeps = Pick<Deps, "db" | "redis" | "clock" | "config">;

export interface TokenAuthentication {
  token: AccessToken;
  user: User;
}

const refused = (status: 401 | 403, code: string, message: string) => new AppError(status, code, { message });

// Tokens are accepted from the Authorization header only. A token in a URL
// ends up in logs, browser history and Referer headers, so a request that
// carries one in its query string is refused before anything is looked up.
export function assertNoTokenInQuery(query: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (/^(access_?token|token|api_?key|bearer)$/i.test(key) || values.some((item) => typeof item === "string" && item.startsWith("lk_"))) {
      throw new AppError(400, "TOKEN_IN_QUERY", { field: key, message: "Send the token in the Authorization header (Bearer), never in the URL." });
    }
  }
}

export function bearerSecret(header: string | undefined): string {
  if (!header) throw refused(401, "UNAUTHENTICATED", "Send an access token: Authorization: Bearer lk_…");
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw refused(401, "INVALID_AUTHORIZATION", "Only Authorization: Bearer <token> is accepted.");
  return match[1]!;
}

// Every refusal of a token that exists is recorded against its owner (the
// security log shows it); unknown secrets are recorded without one. The
// caller rate-limits by address before this runs, which caps the records.
export async function authenticateToken(deps: AuthDeps, secret: string, clientIp: string, meta: RequestMeta): Promise<TokenAuthentication> {
  const token = looksLikeToken(secret) ? await findTokenByHash(deps.db, hashTokenSecret(secret)) : undefined;
  const refuse = async (error: AppError, reason: string) => {
    await recordEvent(deps.db, tokenEvents.rejected(token ?? null, reason), meta, deps.clock.now());
    return error;
  };
  if (!token) throw await refuse(refused(401, "INVALID_TOKEN", "That access token is not valid."), "unknown");
  const now = deps.clock.now();
  const state = tokenState(token, now);
  if (state === "deleted") throw await refuse(refused(401, "TOKEN_REVOKED", "That access token was deleted."), "deleted");
  if (state === "expired") throw await refuse(refused(401, "TOKEN_EXPIRED", "That access token has expired."), "expired");
  const user = await findUserById(deps.db, token.userId);
  if (!user || user.status !== "active") throw await refuse(refused(401, "ACCOUNT_DISABLED", "The account of this token cannot use the API."), "account_disabled");
  if (!isAddressAllowed(token.ipAllowList, clientIp)) {
    throw await refuse(refused(403, "IP_NOT_ALLOWED", `This token cannot be used from ${clientIp}.`), "ip_not_allowed");
  }
  await noteTokenUse(deps, token, clientIp, now);
  return { token, user };
}

export async function requireScope(deps: AuthDeps, auth: TokenAuthentication, scope: TokenScope, meta: RequestMeta): Promise<void> {
  if (tokenPolicy.hasScope(auth.token.scopes, scope)) return;
  await recordEvent(deps.db, tokenEvents.rejected(auth.token, "missing_scope", { scope }), meta, deps.clock.now());
  throw new AppError(403, "INSUFFICIENT_SCOPE", { message: `This token lacks the ${scope} scope.`, details: { scope } });
}

// Last use is written at most once a minute per token and address: a Redis
// SET NX with a 60 s expiry decides which request writes, so a burst of
// requests costs one UPDATE, and a new address shows up at once.
export async function noteTokenUse(deps: AuthDeps, token: AccessToken, clientIp: string, now: Date): Promise<void> {
  const guard = `${deps.config.redisPrefix}token-used:${token.id}:${clientIp}`;
  const first = await deps.redis.set(guard, "1", "EX", 60, "NX");
  if (first === "OK") await recordTokenUse(deps.db, token.id, now, clientIp);
}
