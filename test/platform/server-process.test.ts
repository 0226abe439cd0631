import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, serverCommand, startProcess } from "../helpers/processes.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// The real entry point (`npm start` runs src/server.ts) as a child process.
let databaseName: string;
let dataDir: string;

beforeAll(async () => {
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-server-"));
});
afterAll(async () => {
  await dropTestDatabase(databaseName);
  rmSync(dataDir, { recursive: true, force: true });
});

const startServer = (env: Record<string, string>) => startProcess(serverCommand, env);

describe("the server process", () => {
  it("migrates, serves, and drains on SIGTERM with exit code 0", async () => {
    const port = await freePort();
    const server = startServer(
      testEnv({ PORT: String(port), DATABASE_URL: databaseUrlFor(databaseName), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `lk-proc-${port}:`, DATA_DIR: dataDir, LOG_LEVEL: "info" }),
    );
    const deadline = Date.now() + 20_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(ready, server.output()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/setup`)).status).toBe(200);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("draining");
  });

  it("exits with a message naming where it looked when Redis is unreachable", async () => {
    const closedPort = await freePort();
    const server = startServer(testEnv({ REDIS_URL: `redis://127.0.0.1:${closedPort}`, DATABASE_URL: databaseUrlFor(databaseName), DATA_DIR: dataDir }));
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(`Cannot reach Redis at redis://127.0.0.1:${closedPort}`);
    expect(server.output()).toContain("redis-server --daemonize yes");
  });

  it("exits with a message naming the variable when the configuration is bad", async () => {
    const server = startServer(testEnv({ PORT: "eighty", DATA_DIR: dataDir }));
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain("PORT:");
  });
});
