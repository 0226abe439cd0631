import { describe, expect, it } from "vitest";
import type { PrincipalSource } from "../../src/web/current-user.js";
import type { Deps } from "../../src/platform/deps.js";
import { cachePrincipals, principalsFor } from "../../src/web/principal-cache.js";

// The per-process copy of the signed-in user (web/principal-cache.ts), with
// the version store and the database stood in by counters; the real ones are
// in change-marks.test.ts and user-cache.security.test.ts.

function fakeSource() {
  const source = {
    loads: 0,
    username: "ada",
    beforeLoadEnds: undefined as (() => void) | undefined,
    present: () => ({}),
    async load(userId: string) {
      source.loads++;
      const loaded = {
        user: { id: userId, username: source.username, status: "active" },
        memberships: [{ userId, role: "admin", workspace: { id: "w1", name: "W" } }],
        avatarEtag: null,
      };
      source.beforeLoadEnds?.();
      return loaded as unknown as Awaited<ReturnType<PrincipalSource["load"]>>;
    },
  };
  return source;
}

function setUp(maxAgeMs = 60_000) {
  const source = fakeSource();
  const versions = new Map<string, string>();
  const counted: string[] = [];
  const cache = cachePrincipals(source, { versionOf: async (id) => versions.get(id) ?? "", maxAgeMs, counted: (outcome) => counted.push(outcome) });
  return { source, versions, counted, cache };
}

describe("the signed-in user's copy", () => {
  it("is reused while the user's version stays the same, and reloaded once it changes", async () => {
    const { source, versions, counted, cache } = setUp();
    expect((await cache.source.load("u1"))?.user.username).toBe("ada");
    expect((await cache.source.load("u1"))?.user.username).toBe("ada");
    expect(source.loads).toBe(1);

    source.username = "grace";
    versions.set("u1", "v2");
    expect((await cache.source.load("u1"))?.user.username).toBe("grace");
    expect(source.loads).toBe(2);
    expect(counted).toEqual(["miss", "hit", "miss"]);
  });

  it("keeps a copy under the version read before loading, so a change during the load is not missed", async () => {
    const { source, versions, cache } = setUp();
    // The row changes (and its new version is published) while it is read.
    source.beforeLoadEnds = () => versions.set("u1", "changed-meanwhile");
    await cache.source.load("u1");
    source.beforeLoadEnds = undefined;
    source.username = "grace";
    expect((await cache.source.load("u1"))?.user.username).toBe("grace");
    expect(source.loads).toBe(2);
  });

  it("keeps each user apart", async () => {
    const { source, cache } = setUp();
    expect((await cache.source.load("u1"))?.user.id).toBe("u1");
    expect((await cache.source.load("u2"))?.user.id).toBe("u2");
    expect(source.loads).toBe(2);
  });

  it("reloads a copy older than the maximum age, and after forgetAll", async () => {
    const { source, cache } = setUp(0);
    await cache.source.load("u1");
    await cache.source.load("u1");
    expect(source.loads).toBe(2);

    const fresh = setUp();
    await fresh.cache.source.load("u1");
    fresh.cache.forgetAll();
    await fresh.cache.source.load("u1");
    expect(fresh.source.loads).toBe(2);
  });

  it("hands out a frozen copy: a request cannot change what the next one sees", async () => {
    const { cache } = setUp();
    const loaded = (await cache.source.load("u1"))!;
    expect(() => ((loaded.user as { username: string }).username = "mallory")).toThrow(TypeError);
    expect(() => ((loaded.memberships[0] as { role: string }).role = "owner")).toThrow(TypeError);
    expect(() => ((loaded.memberships[0]!.workspace as { name: string }).name = "X")).toThrow(TypeError);
    expect(() => (loaded.memberships as unknown[]).push({})).toThrow(TypeError);
  });

  it("does not keep a user who is not found", async () => {
    const { source, cache } = setUp();
    let asked = 0;
    source.load = async () => void asked++;
    expect(await cache.source.load("gone")).toBeUndefined();
    expect(await cache.source.load("gone")).toBeUndefined();
    expect(asked).toBe(2);
  });

  it("is not kept when writes do not publish their marks at once (PGlite), or with USER_CACHE_SECONDS=0", () => {
    const source = fakeSource();
    const deps = (synchronous: boolean, userCacheSeconds: number) =>
      ({ config: { userCacheSeconds, redisPrefix: "p:" }, changeMarks: { synchronous }, redis: { on() {} }, database: {}, metrics: {} }) as unknown as Deps;
    expect(principalsFor(deps(false, 60), source)).toBe(source);
    expect(principalsFor(deps(true, 0), source)).toBe(source);
    expect(principalsFor(deps(true, 60), source)).not.toBe(source);
  });
});
