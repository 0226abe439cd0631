import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { jobRegistry } from "../../jobs/registry.js";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { createLogger } from "../../src/platform/logger.js";
import { deleteKeys, scanKeys } from "../../src/platform/redis.js";
import { databaseUrlFor, TEST_REDIS_URL } from "./env.js";
import { freePort, projectRoot, serverCommand, startProcess } from "./processes.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "./test-app.js";

// Real web processes (src/server.ts) and worker processes (jobs/worker.ts)
// on one throwaway database and Redis prefix, with the test's own Deps on the
// same: for what several processes must agree on.
export interface ProcessStack {
  // The web processes' base URLs, in start order.
  bases: string[];
  deps: Deps;
  redisPrefix: string;
  databaseName: string;
  // Polls `probe` until it returns something truthy; the error carries every
  // process's output.
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const workerCommand = [process.execPath, "--import", "tsx", path.join(projectRoot, "jobs/worker.ts")];

export async function startProcessStack(options: { name: string; web: number; workers?: number; env?: Record<string, string> }): Promise<ProcessStack> {
  const databaseName = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), `latchkey-${options.name}-`));
  const redisPrefix = `lk-${options.name}-${randomBytes(4).toString("hex")}:`;
  const env = testEnv({ DATABASE_URL: databaseUrlFor(databaseName), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix, DATA_DIR: dataDir, ...options.env });
  const processes: Array<ReturnType<typeof startProcess>> = [];
  const bases: string[] = [];
  let deps: Deps | undefined;

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await probe().catch(() => undefined);
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} within ${timeoutMs} ms\n${processes.map((p) => p.output()).join("\n---\n")}`);
  }

  async function stop(): Promise<void> {
    for (const started of processes) started.child.kill("SIGTERM");
    await Promise.all(processes.map((started) => started.exited));
    if (deps) {
      await deleteKeys(deps.redis, await scanKeys(deps.redis, `${redisPrefix}*`));
      await deps.close();
    }
    await dropTestDatabase(databaseName);
    rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    for (let i = 0; i < options.web; i++) {
      const port = await freePort();
      bases.push(`http://127.0.0.1:${port}`);
      processes.push(startProcess(serverCommand, { ...env, PORT: String(port), LOG_LEVEL: "warn" }));
    }
    for (let i = 0; i < (options.workers ?? 0); i++) processes.push(startProcess(workerCommand, { ...env, LOG_LEVEL: "info" }));
    deps = await buildDeps(loadConfig(env), { logger: createLogger("silent"), jobs: jobRegistry });
    for (const base of bases) await waitFor(`${base} ready`, async () => (await fetch(`${base}/readyz`)).ok);
    for (const worker of processes.slice(options.web)) await waitFor("a worker started", async () => worker.output().includes("worker started"));
    return { bases, deps, redisPrefix, databaseName, waitFor, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
