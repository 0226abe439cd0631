import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { changeMarks, readChangeVersion } from "../../src/platform/change-marks.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { createLogger } from "../../src/platform/logger.js";
import { deleteKeys, scanKeys } from "../../src/platform/redis.js";
import { users } from "../../src/modules/users/index.js";
import { memberships, workspaces } from "../../src/modules/workspaces/tables.js";
import { avatars } from "../../src/modules/profile/tables.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { addMember, createUser, createWorkspace } from "../helpers/factories.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// Change marks (platform/change-marks.ts) against the real PostgreSQL and
// Redis: every write to the rows the signed-in user's copy is made of must
// have published a new version by the time the write's promise resolves.

let deps: Deps;
let databaseName: string;
let dataDir: string;
const prefix = `lk-marks-${randomBytes(4).toString("hex")}:`;

beforeAll(async () => {
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-marks-"));
  const config = loadConfig(testEnv({ DATABASE_URL: databaseUrlFor(databaseName), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: dataDir }));
  deps = await buildDeps(config, { logger: createLogger("silent") });
});

afterAll(async () => {
  await deleteKeys(deps.redis, await scanKeys(deps.redis, `${prefix}*`));
  await deps.close();
  await dropTestDatabase(databaseName);
  rmSync(dataDir, { recursive: true, force: true });
});

const versionOf = (userId: string) => readChangeVersion(deps.redis, prefix, `user:${userId}`);
const pendingMarks = async () => (await deps.db.select().from(changeMarks)).length;

// The user's version once it differs from `before`, or `before` after `timeoutMs`.
async function versionAfter(userId: string, before: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let version = await versionOf(userId);
  while (version === before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    version = await versionOf(userId);
  }
  return version;
}

// Another process on this database whose Redis sits behind a proxy the test
// can cut or freeze.
async function processBehindRedisProxy() {
  const redisUrl = new URL(TEST_REDIS_URL);
  const proxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  const config = loadConfig(testEnv({ DATABASE_URL: databaseUrlFor(databaseName), REDIS_URL: proxy.url(TEST_REDIS_URL), REDIS_PREFIX: prefix, DATA_DIR: dataDir }));
  return { proxy, other: await buildDeps(config, { logger: createLogger("silent") }) };
}

describe("change marks", () => {
  it("publishes a new version before a plain statement on the user's row resolves", async () => {
    expect(deps.changeMarks.synchronous).toBe(true);
    const user = await createUser(deps);
    const before = await versionOf(user.id);
    await deps.db.update(users).set({ username: `${user.username}x` }).where(eq(users.id, user.id));
    const after = await versionOf(user.id);
    expect(after).not.toBe(before);
    expect(await pendingMarks()).toBe(0);
    // Again: versions are fresh random values, never a counter that could repeat.
    await deps.db.update(users).set({ username: user.username }).where(eq(users.id, user.id));
    expect(await versionOf(user.id)).not.toBe(after);
  });

  it("publishes after a transaction commits, and nothing for one that rolls back", async () => {
    const user = await createUser(deps);
    const before = await versionOf(user.id);
    await expect(
      deps.db.transaction(async (tx) => {
        await tx.update(users).set({ status: "locked" }).where(eq(users.id, user.id));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await versionOf(user.id)).toBe(before);
    expect(await pendingMarks()).toBe(0);

    await deps.db.transaction(async (tx) => {
      await tx.update(users).set({ status: "locked" }).where(eq(users.id, user.id));
    });
    expect(await versionOf(user.id)).not.toBe(before);
  });

  it("marks nothing for an update that changes nothing", async () => {
    const user = await createUser(deps);
    const before = await versionOf(user.id);
    await deps.db.update(users).set({ username: user.username }).where(eq(users.id, user.id));
    expect(await versionOf(user.id)).toBe(before);
  });

  it("marks the member for a membership and an avatar, and every member for their workspace", async () => {
    const owner = await createUser(deps);
    const member = await createUser(deps);
    const workspace = await createWorkspace(deps, owner);
    let before = await versionOf(member.id);
    await addMember(deps, workspace, member);
    expect(await versionOf(member.id)).not.toBe(before);

    before = await versionOf(member.id);
    await deps.db.update(memberships).set({ role: "admin" }).where(eq(memberships.userId, member.id));
    expect(await versionOf(member.id)).not.toBe(before);

    const [ownerBefore, memberBefore] = [await versionOf(owner.id), await versionOf(member.id)];
    await deps.db.update(workspaces).set({ sessionIdleMinutes: 45 }).where(eq(workspaces.id, workspace.id));
    expect(await versionOf(owner.id)).not.toBe(ownerBefore);
    expect(await versionOf(member.id)).not.toBe(memberBefore);

    before = await versionOf(member.id);
    await deps.db.insert(avatars).values({ userId: member.id, image: Buffer.from("x"), etag: "e1" });
    expect(await versionOf(member.id)).not.toBe(before);

    before = await versionOf(member.id);
    await deps.db.delete(memberships).where(eq(memberships.userId, member.id));
    expect(await versionOf(member.id)).not.toBe(before);
  });

  it("publishes every one of many concurrent writes before each resolves", async () => {
    const many = await Promise.all(Array.from({ length: 12 }, () => createUser(deps)));
    const before = await Promise.all(many.map((user) => versionOf(user.id)));
    await Promise.all(
      many.map(async (user, i) => {
        if (i % 2) await deps.db.update(users).set({ phone: `+4917000000${i}` }).where(eq(users.id, user.id));
        else await deps.db.transaction((tx) => tx.update(users).set({ phone: `+4917000000${i}` }).where(eq(users.id, user.id)));
        expect(await versionOf(user.id)).not.toBe(before[i]);
      }),
    );
  });

  it("publishes a change made outside the app (another client, a crash before publishing) at the next sweep", async () => {
    const user = await createUser(deps);
    const before = await versionOf(user.id);
    const outside = new pg.Client({ connectionString: databaseUrlFor(databaseName) });
    await outside.connect();
    try {
      await outside.query("update users set username = $1 where id = $2", [`${user.username}o`, user.id]);
    } finally {
      await outside.end();
    }
    expect(await versionAfter(user.id, before, 6000)).not.toBe(before);
    expect(await pendingMarks()).toBe(0);
  });

  it("lets a change stand while Redis is away, and publishes it once Redis is back", async () => {
    const { proxy, other: cut } = await processBehindRedisProxy();
    try {
      const user = await createUser(deps);
      const before = await versionOf(user.id);
      await proxy.stop();
      await cut.db.update(users).set({ username: `${user.username}r` }).where(eq(users.id, user.id));
      expect((await cut.db.select().from(users).where(eq(users.id, user.id)))[0]!.username).toBe(`${user.username}r`);
      await proxy.start();
      expect(await versionAfter(user.id, before, 8000)).not.toBe(before);
    } finally {
      await cut.close();
      await proxy.stop().catch(() => {});
    }
  });

  it("does not hang a write on a Redis that stopped answering, and lets another process publish its marks", async () => {
    const { proxy, other: hung } = await processBehindRedisProxy();
    try {
      const user = await createUser(deps);
      const before = await versionOf(user.id);
      proxy.freeze();
      const started = Date.now();
      await hung.db.update(users).set({ username: `${user.username}h` }).where(eq(users.id, user.id));
      // The writer waits 2 s at most (a bound, not a speed target: well above it).
      expect(Date.now() - started).toBeLessThan(4500);
      // The hung flush gives its rows back after 5 s; this process's sweep publishes them.
      expect(await versionAfter(user.id, before, 12_000)).not.toBe(before);
    } finally {
      proxy.thaw();
      await hung.close();
      await proxy.stop();
    }
  }, 30_000);
});
