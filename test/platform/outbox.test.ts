import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordResets } from "../../src/modules/password/tables.js";
import { outbox } from "../../src/platform/outbox/index.js";
import { TEST_REDIS_URL } from "../helpers/env.js";
import { createUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// What the user was told happened must happen: a reset link acknowledged just
// before Redis went away is mailed once Redis is back, and only once.
let app: TestApp;
let redisProxy: TcpProxy;

beforeAll(async () => {
  const redisUrl = new URL(TEST_REDIS_URL);
  redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  app = await startTestApp({ rewriteUrl: (url) => (url.startsWith("redis") ? redisProxy.url(url) : url) });
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});

afterAll(async () => {
  await app.close();
  await redisProxy.stop();
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in time");
}

async function nothingLeftToSend(): Promise<boolean> {
  const rows = await app.deps.db.select({ id: outbox.id }).from(outbox);
  const counts = await app.deps.queues.get("mail").getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
  return rows.length === 0 && Object.values(counts).every((count) => count === 0);
}

describe("the transactional outbox", () => {
  it("mails a reset link acknowledged right before a Redis outage once Redis is back, exactly once", async () => {
    const user = await createUser(app.deps);
    const answer = await new HttpClient(app.baseUrl).submit("/forgot-password", "/forgot-password", { login: user.username });
    await redisProxy.stop();
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("If an account exists for that address, we sent a link");

    // The link and its mail were committed together, Redis or not.
    await eventually(async () => (await app.deps.db.select().from(passwordResets).where(eq(passwordResets.userId, user.id))).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the outage lasts a while
    await redisProxy.start();

    const mail = await app.mail.waitFor(user.email, /Reset your Latchkey password/, { timeoutMs: 30_000 });
    await eventually(nothingLeftToSend, 30_000);
    expect(app.mail.all().filter((sent) => sent.to === user.email)).toHaveLength(1);

    const link = /https?:\/\/[^/\s]+(\/reset-password\/[A-Za-z0-9_-]+)\s/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    expect((await new HttpClient(app.baseUrl).get(link!)).status).toBe(200);
  }, 60_000);
});
