import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers } from "../../jobs/worker.js";
import { jobRegistry } from "../../jobs/registry.js";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { readOutbox } from "../../src/platform/mail.js";
import { outbox } from "../../src/platform/outbox/index.js";
import { enqueueMail } from "../../src/platform/queue.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// The real worker (`npm run worker`) as a child process, killed with SIGKILL
// while it works through a queue of mails, then started again: every mail is
// delivered, none twice.
const root = path.resolve(import.meta.dirname, "../..");
const TOTAL = 400;
let deps: Deps;
let env: Record<string, string>;
let databaseName: string;
let dataDir: string;
interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}
const children: WorkerProcess[] = [];

beforeAll(async () => {
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-crash-"));
  env = testEnv({
    DATABASE_URL: databaseUrlFor(databaseName),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `lk-crash-${randomBytes(5).toString("hex")}:`,
    DATA_DIR: dataDir,
    // A killed worker's jobs are retried once their lock lapses: keep it short,
    // but long enough that a busy machine's event-loop stalls do not make a
    // healthy worker's jobs look stalled.
    JOB_LOCK_SECONDS: "5",
  });
  // Enqueues and inspects; runs no worker and no relay of its own.
  deps = await buildDeps(loadConfig(env), { jobs: jobRegistry });
});

afterAll(async () => {
  for (const worker of children) worker.child.kill("SIGKILL");
  await Promise.all(children.map((worker) => worker.exited));
  const keys = await deps.redis.keys(`${deps.config.redisPrefix}*`);
  if (keys.length) await deps.redis.del(...keys);
  await deps.close();
  await dropTestDatabase(databaseName);
  rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "jobs/worker.ts"], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const worker = { child, exited, output: () => output };
  children.push(worker);
  return worker;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not reached in ${timeoutMs} ms`);
}

const delivered = () => readOutbox(deps.outboxDir);

async function nothingLeftToSend(): Promise<boolean> {
  const rows = await deps.db.select({ id: outbox.id }).from(outbox);
  const counts = await deps.queues.get("mail").getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
  return rows.length === 0 && Object.values(counts).every((count) => count === 0);
}

describe("a worker killed mid-queue", () => {
  it("delivers every mail exactly once after a restart", async () => {
    await deps.db.transaction(async (tx) => {
      for (let i = 0; i < TOTAL; i++) {
        await enqueueMail(tx, { to: `crash-${i}@example.test`, subject: "Your Latchkey verification code", text: `Your code is ${String(i).padStart(6, "0")}.` });
      }
    });

    const first = startWorker();
    await until(() => delivered().length > 0, "first mails delivered");
    first.child.kill("SIGKILL");
    await first.exited;
    const deliveredBeforeKill = delivered().length;
    expect(deliveredBeforeKill, "the kill came after the whole queue was done").toBeLessThan(TOTAL);

    const second = startWorker();
    await until(async () => delivered().length === TOTAL && (await nothingLeftToSend()), "every mail delivered", 60_000);
    second.child.kill("SIGTERM");
    expect(await second.exited, second.output()).toBe(0);

    const perRecipient = new Map<string, number>();
    for (const mail of delivered()) perRecipient.set(mail.to, (perRecipient.get(mail.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(TOTAL);
    expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);
    expect(await deps.queues.get("mail").getJobCounts("failed")).toEqual({ failed: 0 });
  }, 90_000);

  it("performs a job once when the relay adds its row a second time (it stopped between the add and the delete)", async () => {
    const to = "relayed-twice@example.test";
    await enqueueMail(deps.db, { to, subject: "Your Latchkey verification code", text: "Your code is 246810." });
    const [row] = await deps.db.select().from(outbox);
    const workers = startWorkers(deps);
    try {
      await until(async () => delivered().some((mail) => mail.to === to) && (await nothingLeftToSend()), "first delivery");
      const first = delivered().find((mail) => mail.to === to)!;
      // The row is back, as if its delete had never committed.
      await deps.db.insert(outbox).values(row!);
      await until(() => nothingLeftToSend(), "second relay");
      const again = delivered().filter((mail) => mail.to === to);
      expect(again).toHaveLength(1);
      expect(again[0]!.sentAt).toBe(first.sentAt); // not even rewritten
    } finally {
      await workers.close();
    }
  });
});
