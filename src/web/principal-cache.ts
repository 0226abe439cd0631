import { readChangeVersion } from "../platform/change-marks.js";
import type { Deps } from "../platform/deps.js";
import type { PrincipalSource } from "./current-user.js";

type Loaded = NonNullable<Awaited<ReturnType<PrincipalSource["load"]>>>;

export interface PrincipalCache {
  source: PrincipalSource;
  // Drops every copy: when this process loses Redis (a version published
  // meanwhile may never have reached it) or PostgreSQL (see principalsFor).
  forgetAll(): void;
}

// The signed-in user and their workspaces, kept per process between requests:
// one Redis GET of the user's change version instead of the PostgreSQL join,
// which was most of a page's cost beyond the floor (see the bench).
//
// Never stale: a copy is used only while the user's version in Redis is the
// one read *before* the copy was loaded, and every write to the rows it is
// made of publishes a new version before the writing request or job goes on
// (platform/change-marks.ts, triggers in the database). So a role taken
// away, a locked account or ended sessions reach every process at once.
// `maxAgeMs` only bounds what an outage (a version that could not be
// published while Redis was away) could leave behind.
export function cachePrincipals(
  source: PrincipalSource,
  options: { versionOf(userId: string): Promise<string>; maxAgeMs: number; maxEntries?: number; counted?(outcome: "hit" | "miss"): void },
): PrincipalCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const copies = new Map<string, { version: string; loadedAt: number; value: Loaded }>();
  return {
    forgetAll: () => copies.clear(),
    source: {
      present: source.present,
      async load(userId) {
        const version = await options.versionOf(userId);
        const copy = copies.get(userId);
        const now = Date.now();
        if (copy && copy.version === version && now - copy.loadedAt < options.maxAgeMs) {
          options.counted?.("hit");
          return copy.value;
        }
        options.counted?.("miss");
        const value = await source.load(userId);
        if (!value) {
          copies.delete(userId);
          return value;
        }
        // Starts over when full, like platform/remember.ts: a bound, not an LRU.
        if (copies.size >= maxEntries) copies.clear();
        copies.set(userId, { version, loadedAt: now, value: frozen(value) });
        return value;
      },
    },
  };
}

// Requests share the copy: freezing makes a change to it throw (modules are
// strict mode) instead of leaking into the next request.
function frozen(value: Loaded): Loaded {
  Object.freeze(value.user);
  for (const membership of value.memberships) Object.freeze(Object.freeze(membership).workspace);
  Object.freeze(value.memberships);
  return Object.freeze(value);
}

// The app's source, cached when writes publish their change marks at once
// (PostgreSQL) and USER_CACHE_SECONDS is not 0. The mark's key, "user:<id>",
// is the one the database triggers write (migration 0016_change_marks).
export function principalsFor(deps: Pick<Deps, "config" | "database" | "redis" | "changeMarks" | "metrics">, source: PrincipalSource): PrincipalSource {
  if (!deps.changeMarks.synchronous || deps.config.userCacheSeconds === 0) return source;
  const cache = cachePrincipals(source, {
    versionOf: (userId) => readChangeVersion(deps.redis, deps.config.redisPrefix, `user:${userId}`),
    maxAgeMs: deps.config.userCacheSeconds * 1000,
    counted: (outcome) => deps.metrics.userCache.inc({ outcome }),
  });
  deps.redis.on("close", cache.forgetAll);
  // Nothing can change while PostgreSQL is away, so the copies would stay
  // true; but an outage answers 503 everywhere (pages that need nothing
  // else from the database too), so they go with the connection.
  deps.database.onConnectionLost?.(cache.forgetAll);
  return cache.source;
}
