import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, serverCommand, startProcess } from "../helpers/processes.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// The real process behind loopback proxies: a Redis cut and a PostgreSQL cut
// under a few requests each. Everything the process prints (stdout and
// stderr) must be JSON log lines, and an outage is a handful of lines (it
// went, it came back), not one per request or per reconnect attempt.
let databaseName: string;
let dataDir: string;
let redisProxy: TcpProxy;
let pgProxy: TcpProxy;

beforeAll(async () => {
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-outage-log-"));
  const redisUrl = new URL(TEST_REDIS_URL);
  redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgProxy = await startTcpProxy("127.0.0.1", 5432);
});
afterAll(async () => {
  await Promise.all([redisProxy.stop().catch(() => {}), pgProxy.stop().catch(() => {})]);
  await dropTestDatabase(databaseName);
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not in time`);
}

describe("logging through an outage", () => {
  it("writes only JSON lines, a handful per outage", { timeout: 120_000 }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = testEnv({
      PORT: String(port),
      DATABASE_URL: pgProxy.url(databaseUrlFor(databaseName)),
      REDIS_URL: redisProxy.url(TEST_REDIS_URL),
      REDIS_PREFIX: `lk-outage-log-${port}:`,
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
    });
    const { child, exited, output: outputSoFar } = startProcess(serverCommand, env);
    const ready = async () => (await fetch(`${base}/readyz`)).status === 200;
    const page = async () => (await fetch(`${base}/setup`)).status;
    await until(ready, "started");
    const linesBefore = outputSoFar().trim().split("\n").length;

    // Redis goes: requests get 503s for a few seconds of reconnect attempts.
    await redisProxy.stop();
    for (let i = 0; i < 10; i++) {
      expect(await page()).toBe(503);
      await sleep(300);
    }
    await redisProxy.start();
    await until(async () => (await page()) === 200, "Redis back");
    await until(ready, "ready after Redis");
    // The line reaches this process through a pipe, possibly after the page.
    await until(async () => /"msg":"redis back after/.test(outputSoFar()), "Redis back logged");
    const redisLines = outputSoFar().trim().split("\n").slice(linesBefore);

    // PostgreSQL goes, the same way.
    const linesBeforePg = outputSoFar().trim().split("\n").length;
    await pgProxy.stop();
    for (let i = 0; i < 10; i++) {
      expect(await page()).toBe(503);
      await sleep(300);
    }
    await pgProxy.start();
    await until(async () => (await page()) === 200, "PostgreSQL back");
    const pgLines = outputSoFar().trim().split("\n").slice(linesBeforePg);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const lines = outputSoFar().trim().split("\n");
    console.info(`outage logging: Redis cut ${redisLines.length} lines, PostgreSQL cut ${pgLines.length} lines, ${lines.length} in all\n${[...redisLines, ...pgLines].join("\n")}`);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    // "redis unavailable", "redis back after", and the outbox relay's retries (logged at the 1st, 2nd, 4th... failure).
    expect(redisLines.length, redisLines.join("\n")).toBeLessThanOrEqual(6);
    expect(redisLines.some((line) => line.includes('"msg":"redis unavailable"')), redisLines.join("\n")).toBe(true);
    expect(redisLines.some((line) => /"msg":"redis back after [\d.]+ s"/.test(line)), redisLines.join("\n")).toBe(true);
    expect(pgLines.length, pgLines.join("\n")).toBeLessThanOrEqual(4);
  });
});
