import type { TokenScope } from "./scopes.js";

// Decisions only, no I/O (test/tokens/policy.test.ts).

export const DEFAULT_LIFETIME_DAYS = 90;
export const MAX_LIFETIME_YEARS = 10;

export function defaultExpiry(now: Date): Date {
  return new Date(now.getTime() + DEFAULT_LIFETIME_DAYS * 86_400_000);
}

export function latestExpiry(now: Date): Date {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_LIFETIME_YEARS);
  return latest;
}

// null when the expiry is acceptable, else the message for the field.
export function expiryProblem(expiresAt: Date, now: Date): string | null {
  if (expiresAt.getTime() <= now.getTime()) return "Choose an expiration time in the future.";
  if (expiresAt.getTime() > latestExpiry(now).getTime()) return `Choose an expiration time at most ${MAX_LIFETIME_YEARS} years away.`;
  return null;
}

export type TokenState = "active" | "expired" | "deleted";

export function tokenState(token: { expiresAt: Date; deletedAt: Date | null }, now: Date): TokenState {
  if (token.deletedAt) return "deleted";
  return token.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
}

export const tokenPolicy = {
  // The owner manages their own tokens; an instance administrator anyone's.
  canManageTokensOf: (actor: { id: string; isInstanceAdmin: boolean }, ownerId: string): boolean => actor.id === ownerId || actor.isInstanceAdmin,
  // A token used to create another grants at most its own scopes, so a
  // leaked narrow token cannot mint a broader one.
  ungrantableScopes: (requested: readonly TokenScope[], grantorScopes: readonly TokenScope[] | null): TokenScope[] =>
    grantorScopes === null ? [] : requested.filter((scope) => !grantorScopes.includes(scope)),
  hasScope: (scopes: readonly string[], needed: TokenScope): boolean => scopes.includes(needed),
};
