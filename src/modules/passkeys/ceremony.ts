import { randomBytes } from "node:crypto";
import type { RedisClient } from "../../platform/redis.js";
import type { Config } from "../../config.js";

// The relying party is this instance, as BASE_URL names it: origin and RP id
// are checked exactly against it. Passkeys need a trusted origin (HTTPS, or
// http://localhost for development); elsewhere browsers refuse them anyway.
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
  trusted: boolean;
}

export function relyingParty(config: Pick<Config, "baseUrl">): RelyingParty {
  const url = new URL(config.baseUrl);
  const trusted = url.protocol === "https:" || (url.protocol === "http:" && url.hostname === "localhost");
  return { id: url.hostname, name: "Latchkey", origin: url.origin, trusted };
}

export type CeremonyPurpose = "register" | "sign-in" | "second-factor" | "reauth";

export const CHALLENGE_TTL_MS = 5 * 60_000;

// A challenge is 32 random bytes, bound to the browser session and to what it
// is for, kept in Redis for 5 minutes, and used at most once (GETDEL): a
// replayed or reused response finds nothing.
export function newChallenge(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(32));
}

export function challengeStore(redis: RedisClient, prefix: string) {
  const key = (purpose: CeremonyPurpose, sessionId: string) => `${prefix}webauthn:${purpose}:${sessionId}`;
  return {
    // `challenge` as the options carry it (base64url), with what it is for.
    async keep(purpose: CeremonyPurpose, sessionId: string, pending: { challenge: string } & Record<string, unknown>): Promise<void> {
      await redis.set(key(purpose, sessionId), JSON.stringify(pending), "PX", CHALLENGE_TTL_MS);
    },
    async take<Extra extends object>(purpose: CeremonyPurpose, sessionId: string): Promise<({ challenge: string } & Extra) | null> {
      const stored = await redis.getdel(key(purpose, sessionId));
      return stored ? (JSON.parse(stored) as { challenge: string } & Extra) : null;
    },
  };
}
