import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// PostgreSQL and Redis sit behind loopback proxies that the test cuts and
// restores: requests must get a 503 page (never a crash, never anonymous
// access) and the app must recover on its own.
let app: TestApp;
let redisProxy: TcpProxy;
let pgProxy: TcpProxy;

beforeAll(async () => {
  const redisUrl = new URL(TEST_REDIS_URL);
  const pgUrl = new URL(TEST_DATABASE_URL);
  redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgProxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  app = await startTestApp({
    rewriteUrl: (url) => (url.startsWith("redis") ? redisProxy.url(url) : pgProxy.url(url)),
  });
});

afterAll(async () => {
  await app.close();
  await Promise.all([redisProxy.stop().catch(() => {}), pgProxy.stop().catch(() => {})]);
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in time");
}

describe("dependency outages", () => {
  it("answers 503 while Redis is away and recovers when it returns", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);

    await redisProxy.stop();
    const during = await client.get(`/w/${workspace.slug}`);
    expect(during.status).toBe(503);
    expect(during.text).toContain("Temporarily unavailable");
    expect(during.text).not.toContain(workspace.name);
    expect((await client.get("/login")).status).toBe(503);
    expect((await client.get("/readyz")).status).toBe(503);

    await redisProxy.start();
    await eventually(async () => (await client.get(`/w/${workspace.slug}`)).status === 200);
    expect((await client.get("/readyz")).status).toBe(200);
  });

  it("an outage while a sign-in code is checked consumes neither the code nor an attempt", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    const client = new HttpClient(app.baseUrl);
    expect((await client.submit("/login", "/login", { login: user.username, password: user.password })).location).toBe("/login/verify");
    const code = codeForSecret(secret, Date.now(), 1);

    await pgProxy.stop();
    for (let i = 0; i < 6; i++) expect((await client.post("/login/verify", { code })).status).toBe(503);
    await pgProxy.start();
    await eventually(async () => (await client.get("/readyz")).status === 200);
    // Six failed requests, yet the challenge lives and the code still works.
    expect((await client.post("/login/verify", { code })).status).toBe(303);
  });

  it("answers 503 while PostgreSQL is away and recovers when it returns", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);

    await pgProxy.stop();
    const during = await client.get(`/w/${workspace.slug}`);
    expect(during.status).toBe(503);
    expect(during.text).not.toContain(workspace.name);
    const signIn = await client.post("/login", { login: user.username, password: user.password });
    expect(signIn.status).toBe(503);

    await pgProxy.start();
    await eventually(async () => (await client.get(`/w/${workspace.slug}`)).status === 200);
  });
});
