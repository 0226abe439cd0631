import { RedisStore } from "connect-redis";
import session from "express-session";
import type { Deps } from "../../platform/deps.js";
import type { SessionLimits } from "./limits.js";

// The authentication keys of a session. Only the sign-in pipeline
// (web/sign-in/session-auth.ts) writes them; every other key is a typed slot
// (./slots.ts) owned by one module.
declare module "express-session" {
  interface SessionData {
    userId: string;
    // The methods that proved the sign-in ("password", "totp", …).
    factors: string[];
    // Signed in with two factors, or one that counts as two (a passkey).
    multiFactor: boolean;
    workspaceId: string | null;
    // The workspace whose own sign-in (its single sign-on) proved this
    // session, if that was the first factor; "SSO required" checks it.
    viaWorkspaceId?: string | null;
    // Epoch milliseconds. signedInAt bounds the absolute lifetime and never
    // moves; authenticatedAt is the last proof of identity (step-up);
    // lastSeenAt is the last activity, for the inactivity limit.
    signedInAt: number;
    authenticatedAt: number;
    // When this session's credentials were last proven valid: at sign-in, and
    // re-stamped when the user changes a credential from this session. A
    // session older than the account's credential epoch is signed out.
    credentialsAt: number;
    lastSeenAt: number;
    limits: SessionLimits;
    ip: string;
    userAgent: string;
    handle: string;
  }
}

const ANONYMOUS_TTL_SECONDS = 2 * 60 * 60;

export function sessionCookieName(secure: boolean): string {
  // __Host- forbids a Domain attribute and requires Secure and Path=/.
  return secure ? "__Host-latchkey.sid" : "latchkey.sid";
}

// The Redis key's TTL is the inactivity limit, capped by what remains of the
// absolute limit, so Redis itself forgets a session the moment either runs out.
export function sessionTtlSeconds(sess: Partial<session.SessionData>, nowMs: number): number {
  if (!sess.userId || !sess.limits || !sess.signedInAt) return ANONYMOUS_TTL_SECONDS;
  const idle = sess.limits.idleMinutes * 60;
  const remainingMs = sess.signedInAt + sess.limits.maxDays * 86_400_000 - nowMs;
  return Math.max(1, Math.min(idle, Math.floor(remainingMs / 1000)));
}

export function createSessionStore(deps: Pick<Deps, "redis" | "config" | "clock">): RedisStore {
  const store = new RedisStore({
    client: deps.redis,
    prefix: `${deps.config.redisPrefix}sess:`,
    ttl: (sess) => sessionTtlSeconds(sess, deps.clock.now().getTime()),
    // Activity writes lastSeenAt (a SET with a fresh TTL) instead of a separate
    // EXPIRE: one write round trip per request at most.
    disableTouch: true,
  });
  // So the store has no touch() at all: when a store has one, express-session
  // calls it after every response that saved nothing and, to wait for it,
  // sends the body but its last byte first and that byte afterwards (two
  // socket writes and a copy of every page) and hashes the session once more;
  // with disableTouch that touch did nothing anyway.
  Object.defineProperty(store, "touch", { value: undefined });
  return store;
}

export function sessionMiddleware(deps: Pick<Deps, "config" | "redis" | "clock">, store = createSessionStore(deps)) {
  return session({
    name: sessionCookieName(deps.config.secureCookies),
    secret: deps.config.secretKey,
    store,
    resave: false,
    saveUninitialized: false,
    // Session ids come from uid-safe: 24 random bytes (192 bits).
    cookie: { httpOnly: true, sameSite: "lax", secure: deps.config.secureCookies, path: "/" },
  });
}
