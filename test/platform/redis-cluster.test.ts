import { eq } from "drizzle-orm";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeSteps } from "../../src/modules/cancellation/jobs.js";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { scanKeys } from "../../src/platform/redis.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient, sessionIdOf } from "../helpers/http-client.js";
import { redisServerMissing, redisServerPath, startRedisCluster, type RedisCluster } from "../helpers/redis-servers.js";
import { startSmtpCatcher, type SmtpCatcher } from "../helpers/smtp-catcher.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";
import { codeForSecret } from "../helpers/totp.js";

// The app against a real Redis Cluster: three masters on loopback, slots
// spread over them, so every MULTI, Lua script and multi-key command the app
// sends must keep to one slot (hash tags) or fail with CROSSSLOT.

if (!redisServerPath) console.warn(redisServerMissing);

const MINUTE = 60_000;
const clock = manualClock(new Date("2026-11-24T09:00:00Z"));
let cluster: RedisCluster;
let app: TestApp;
let smtp: SmtpCatcher;

describe.skipIf(!redisServerPath)("a Redis Cluster (3 masters)", () => {
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    smtp = await startSmtpCatcher();
    app = await startTestApp({ clock, env: { REDIS_CLUSTER_NODES: cluster.nodes, SMTP_URL: smtp.url } });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await smtp?.close();
    await cluster?.close();
  });

  it("connects through the cluster client and is ready", async () => {
    expect(app.deps.redis).toBeInstanceOf(Cluster);
    expect(app.deps.config.redis.kind).toBe("cluster");
    expect((app.deps.redis as Cluster).nodes("master")).toHaveLength(3);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  });

  it("signs in with password and TOTP; the session and its index work across slots", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    const client = new HttpClient(app.baseUrl);
    // A wrong password and a wrong code first: the sign-in limiters (Lua on one key each) count in the cluster.
    expect((await client.submit("/login", "/login", { login: user.username, password: "Wrong-password-1" })).status).toBe(401);
    expect(await app.deps.redis.exists(`${app.redisPrefix}login:account:user:${user.id}`)).toBe(1);
    expect((await client.submit("/login", "/login", { login: user.username, password: user.password })).location).toBe("/login/verify");
    const right = codeForSecret(secret, clock.now().getTime(), 1);
    expect((await client.post("/login/verify", { code: right === "000000" ? "111111" : "000000" })).status).toBe(422);
    const second = await client.post("/login/verify", { code: right });
    expect(second.status).toBe(303);
    const page = await client.get("/settings/security");
    expect(page.status).toBe(200);
    expect(page.text).toContain("This session");
    expect(await app.deps.redis.exists(`${app.redisPrefix}sess:${sessionIdOf(client)}`)).toBe(1);
  });

  it("enforces a workspace's inactivity limit, with the session key's TTL set in the cluster", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await app.deps.db.update(workspaces).set({ sessionIdleMinutes: 30 }).where(eq(workspaces.id, workspace.id));
    const client = await signedInClient(app.baseUrl, owner);
    const path = `/w/${workspace.slug}`;
    expect((await client.get(path)).status).toBe(200);
    const ttl = await app.deps.redis.ttl(`${app.redisPrefix}sess:${sessionIdOf(client)}`);
    expect(ttl).toBeGreaterThan(25 * 60);
    expect(ttl).toBeLessThanOrEqual(30 * 60);
    clock.advance(31 * MINUTE);
    const after = await client.get(path);
    expect(after.status).toBe(303);
    expect(after.location).toBe(`/login?return_to=${encodeURIComponent(path)}&expired=1`);
  });

  it("signs out everywhere else at once, and a password change ends the other sessions", async () => {
    const user = await createUser(app.deps);
    const others = [await signedInClient(app.baseUrl, user), await signedInClient(app.baseUrl, user)];
    const mine = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    expect((await mine.post("/settings/security/sessions/others/end", { confirmed: "yes" })).status).toBe(303);
    for (const other of others) expect((await other.get("/settings/profile")).status).toBe(303);
    expect((await mine.get("/settings/profile")).status).toBe(200);

    const another = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    const newPassword = "Cluster-Proof-Secret-91";
    const changed = await mine.post("/settings/security/password", {
      currentPassword: user.password,
      newPassword,
      confirmPassword: newPassword,
      signOutOthersOffered: "1",
      signOutOthers: "1",
    });
    expect(changed.status).toBe(303);
    expect((await another.get("/settings/profile")).status).toBe(303);
    expect((await mine.get("/settings/profile")).status).toBe(200);
    // The notice went outbox -> BullMQ (hash-tagged queue keys) -> worker -> SMTP.
    expect(await smtp.mailTo(user.email, /password was changed/)).toContain(user.username);
  });

  it("binds an email with a code sent over SMTP through the queue, limits resends, and uses a code once", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    const address = `cluster-${user.username}@example.test`;
    expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(303);
    const raw = await smtp.mailTo(address, /verification code/);
    const code = /code to verify this email address is (\d{6})/.exec(raw)![1]!;
    // A second send at once is refused (resend wait), counted in the cluster.
    expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(429);
    expect((await client.post("/settings/profile/email/confirm", { code })).status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain(`data-testid="email-value">${address}<`);
    // The queue's keys carry the queue's hash tag and live under the prefix.
    const queueKeys = await scanKeys(app.deps.redis, `${app.redisPrefix}bull:*`);
    expect(queueKeys.length).toBeGreaterThan(0);
    for (const key of queueKeys) expect(key).toMatch(new RegExp(`^${app.redisPrefix}bull:\\{[\\w-]+\\}:`));
  });

  it("binds a phone with an SMS code and keeps the hourly send limit per account", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    expect((await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" })).status).toBe(303);
    const sms = await app.sms.waitFor("+447911123456", /Latchkey code/);
    expect((await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" })).status).toBe(429);
    expect((await client.post("/settings/profile/phone/confirm", { code: codeIn(sms.text) })).status).toBe(303);
    // The used code is gone: the same code again is refused.
    expect((await client.post("/settings/profile/phone/confirm", { code: codeIn(sms.text) })).status).not.toBe(303);

    // 10 sends an hour per account (a new number each time, past the resend wait).
    const other = await createUser(app.deps);
    const otherClient = await signedInClient(app.baseUrl, other);
    await otherClient.get("/settings/profile");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      clock.advance(61_000);
      statuses.push((await otherClient.post("/settings/profile/phone/send", { value: `+1 415 555 26${String(10 + i)}` })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(303));
    const status = statuses[10];
    expect(status).toBe(429);
  });

  it("purges a cancelled account's Redis keys (codes, send count, sessions and their index) across slots", async () => {
    const user = await createUser(app.deps);
    const first = await signedInClient(app.baseUrl, user);
    const second = await signedInClient(app.baseUrl, user);
    await first.get("/settings/profile");
    expect((await first.post("/settings/profile/email/send", { value: `purge-${user.username}@example.test` })).status).toBe(303);
    const owned = () => scanKeys(app.deps.redis, `${app.redisPrefix}*${user.id}*`);
    const sessionKeys = [first, second].map((client) => `${app.redisPrefix}sess:${sessionIdOf(client)}`);
    expect((await owned()).length).toBeGreaterThanOrEqual(3);
    for (const key of sessionKeys) expect(await app.deps.redis.exists(key)).toBe(1);

    await purgeSteps.find((step) => step.name === "redis")!.run(app.deps, user.id, user.email);
    expect(await owned()).toEqual([]);
    for (const key of sessionKeys) expect(await app.deps.redis.exists(key)).toBe(0);
    expect((await second.get("/settings/profile")).status).toBe(303);
  });

  it("spreads the app's keys over more than one master", async () => {
    const masters = (app.deps.redis as Cluster).nodes("master");
    const perMaster = await Promise.all(masters.map((node) => node.dbsize()));
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  // Last: the whole cluster goes away (its data with it) and comes back.
  it("answers 503 while the cluster is down and recovers by itself when it returns", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);

    await cluster.stopAll();
    const during = await client.get(`/w/${workspace.slug}`);
    expect(during.status).toBe(503);
    expect(during.text).not.toContain(workspace.name);
    expect((await client.get("/login")).status).toBe(503);
    expect((await client.get("/readyz")).status).toBe(503);

    await cluster.startAll();
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${app.baseUrl}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
    // Nothing was saved, so the session is gone: signing in again works.
    const again = await signedInClient(app.baseUrl, user);
    expect((await again.get(`/w/${workspace.slug}`)).status).toBe(200);
  });
});
