import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signedInClient } from "../helpers/factories.js";
import { redisServerMissing, redisServerPath, startRedisSentinel, type RedisSentinel } from "../helpers/redis-servers.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

// The app finds its Redis through Redis Sentinel (one master, one sentinel on
// loopback, plus a replica for a failover): REDIS_SENTINELS +
// REDIS_SENTINEL_NAME instead of REDIS_URL.

if (!redisServerPath) console.warn(redisServerMissing);

let sentinel: RedisSentinel;
let app: TestApp;

describe.skipIf(!redisServerPath)("Redis through Sentinel", () => {
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    app = await startTestApp({ env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name } });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sentinel?.close();
  });

  it("connects to the master the sentinel names, signs in, and runs a code through the queue", async () => {
    expect(app.deps.config.redis.kind).toBe("sentinel");
    // The connection reached the master the sentinel announced.
    const info = await app.deps.redis.info("server");
    expect(info).toContain(`tcp_port:${sentinel.masterPort}`);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);

    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    const address = `sentinel-${user.username}@example.test`;
    expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(303);
    const mail = await app.mail.waitFor(address, /verification code/);
    expect((await client.post("/settings/profile/email/confirm", { code: codeIn(mail.text) })).status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain(`data-testid="email-value">${address}<`);
  });

  it("follows a failover to the promoted replica: sessions carry over and writes go to the new master", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.get("/settings/profile")).status).toBe(200);

    await sentinel.failover();
    // The app reconnects by itself (failoverDetector); until then a request may get the 503 page.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !String(await app.deps.redis.info("server").catch(() => "")).includes(`tcp_port:${sentinel.replicaPort}`)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await app.deps.redis.info("server")).toContain(`tcp_port:${sentinel.replicaPort}`);
    // The session was replicated before the switch, so this browser stays signed in.
    expect((await client.get("/settings/profile")).status).toBe(200);
    // Writes land on the new master: a code is stored and used.
    const address = `failover-${user.username}@example.test`;
    expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(303);
    const mail = await app.mail.waitFor(address, /verification code/);
    expect((await client.post("/settings/profile/email/confirm", { code: codeIn(mail.text) })).status).toBe(303);
  });
});
