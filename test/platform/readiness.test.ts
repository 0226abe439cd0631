import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// /readyz is what a load balancer goes by: 503 naming the dependency while
// PostgreSQL or Redis is away, 200 once both answer again. (503 while the
// process drains after SIGTERM: test/platform/server-shutdown.test.ts.)
let app: TestApp;
let redisProxy: TcpProxy;
let pgProxy: TcpProxy;

beforeAll(async () => {
  const redisUrl = new URL(TEST_REDIS_URL);
  const pgUrl = new URL(TEST_DATABASE_URL);
  redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgProxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  app = await startTestApp({ rewriteUrl: (url) => (url.startsWith("redis") ? redisProxy.url(url) : pgProxy.url(url)) });
});
afterAll(async () => {
  await app.close();
  await Promise.all([redisProxy.stop().catch(() => {}), pgProxy.stop().catch(() => {})]);
});

async function readiness(): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${app.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function eventuallyReady(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await readiness()).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("not ready again in time");
}

describe("/readyz", () => {
  it("is 200 with both dependencies up", async () => {
    expect(await readiness()).toEqual({ status: 200, body: { status: "ok", database: "ok", redis: "ok" } });
  });

  it("is 503 while Redis is away, every time it is asked, and 200 when it is back", async () => {
    await redisProxy.stop();
    for (let i = 0; i < 3; i++) expect(await readiness()).toEqual({ status: 503, body: { status: "unavailable", database: "ok", redis: "unreachable" } });
    await redisProxy.start();
    await eventuallyReady();
  });

  it("is 503 while PostgreSQL is away, and 200 when it is back", async () => {
    await pgProxy.stop();
    for (let i = 0; i < 3; i++) expect(await readiness()).toEqual({ status: 503, body: { status: "unavailable", database: "unreachable", redis: "ok" } });
    await pgProxy.start();
    await eventuallyReady();
  });
});
