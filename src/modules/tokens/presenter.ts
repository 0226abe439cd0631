import { formatDay } from "../../platform/format.js";
import { defaultExpiry, latestExpiry, tokenState } from "./policy.js";
import { scopeDescriptions, tokenScopes } from "./scopes.js";
import type { AccessToken } from "./tables.js";

// One row of the tokens table. The secret is never part of it: only the
// response that issues a token carries it (presentIssued).
export function presentTokenRow(token: AccessToken, now: Date) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    createdAt: token.createdAt,
    // A date: the page shows it in the reader's language and zone (fmt).
    expiresAt: token.expiresAt,
    expiresOn: formatDay(token.expiresAt),
    expired: tokenState(token, now) === "expired",
    lastUsedAt: token.lastUsedAt,
    lastUsedIp: token.lastUsedIp,
    ipAllowList: token.ipAllowList,
    ipAllowListText: token.ipAllowList.join("\n"),
  };
}

export type TokenRow = ReturnType<typeof presentTokenRow>;

export function tokenFormOptions(now: Date) {
  return {
    scopeOptions: tokenScopes.map((scope) => ({ value: scope, description: scopeDescriptions[scope] })),
    defaultExpiresOn: formatDay(defaultExpiry(now)),
    minExpiresOn: formatDay(new Date(now.getTime() + 86_400_000)),
    maxExpiresOn: formatDay(latestExpiry(now)),
  };
}

export function presentIssued(token: AccessToken, secret: string, rolled: boolean) {
  return { id: token.id, name: token.name, secret, rolled };
}

// The management API's view of a token (never the secret, except when issued).
export function tokenJson(token: AccessToken, now: Date) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    ipAllowList: token.ipAllowList,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    expired: tokenState(token, now) === "expired",
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: token.lastUsedIp ?? null,
    rolledAt: token.rolledAt?.toISOString() ?? null,
  };
}
