import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { outbox, startOutboxRelay, type OutboxRelay } from "../../src/platform/outbox/index.js";
import { enqueueMail } from "../../src/platform/queue.js";
import { databaseUrlFor, TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/env.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// The relay alone (no worker): what reaches BullMQ, and when. PostgreSQL and
// Redis sit behind loopback proxies the tests cut and restore.
let deps: Deps;
let databaseName: string;
let dataDir: string;
let redisProxy: TcpProxy;
let pgProxy: TcpProxy;
let relay: OutboxRelay | undefined;
const logs: Array<{ level: number; msg: string }> = [];

beforeAll(async () => {
  const redisUrl = new URL(TEST_REDIS_URL);
  const pgUrl = new URL(TEST_DATABASE_URL);
  redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgProxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-relay-"));
  const config = loadConfig(
    testEnv({
      DATABASE_URL: pgProxy.url(databaseUrlFor(databaseName)),
      REDIS_URL: redisProxy.url(TEST_REDIS_URL),
      REDIS_PREFIX: `lk-relay-${randomBytes(5).toString("hex")}:`,
      DATA_DIR: dataDir,
    }),
  );
  const sink = new Writable({
    write(line, _encoding, done) {
      logs.push(JSON.parse(String(line)));
      done();
    },
  });
  deps = await buildDeps(config, { logger: pino({ level: "debug" }, sink) });
});

// Each test starts with both dependencies up and an empty outbox, whatever
// order the tests run in (the one that sets a row aside leaves it behind).
beforeEach(async () => {
  await Promise.all([redisProxy.start(), pgProxy.start()]);
  await eventually(async () => (await deps.db.delete(outbox), true));
});

afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

afterAll(async () => {
  await Promise.all([redisProxy.start(), pgProxy.start()]);
  const keys = await deps.redis.keys(`${deps.config.redisPrefix}*`);
  if (keys.length) await deps.redis.del(...keys);
  await deps.close();
  await dropTestDatabase(databaseName);
  await Promise.all([redisProxy.stop(), pgProxy.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const startRelay = () => (relay = startOutboxRelay(deps, deps.queues, { pollMs: 100, maxBackoffMs: 500 }));
const mailTo = (to: string) => ({ to, subject: "Your Latchkey verification code", text: `Your code is 123456 (${to}).` });
const recipient = () => `relay-${randomBytes(4).toString("hex")}@example.test`;
const outboxRows = () => deps.db.select().from(outbox);

async function jobsTo(to: string) {
  const jobs = await deps.queues.get("mail").getJobs(["waiting", "active", "delayed", "completed", "failed"]);
  return jobs.filter((job) => job.data.to === to);
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not met in time");
}

describe("the outbox relay", () => {
  it("moves committed rows into BullMQ under the row id, and never a row whose transaction rolled back", async () => {
    const [refused, committed] = [recipient(), recipient()];
    await expect(
      deps.db.transaction(async (tx) => {
        await enqueueMail(tx, mailTo(refused));
        throw new Error("the change was refused");
      }),
    ).rejects.toThrow("the change was refused");
    await enqueueMail(deps.db, mailTo(committed));
    const [row] = await outboxRows();
    expect(await outboxRows()).toHaveLength(1);
    // Sealed at rest: neither the address nor the code is readable in the table.
    expect(row!.sealedPayload).not.toContain(committed);
    expect(row!.sealedPayload).not.toContain("123456");

    startRelay();
    await eventually(async () => (await jobsTo(committed)).length === 1);
    const [job] = await jobsTo(committed);
    expect(job!.id).toBe(row!.id);
    expect(job!.name).toBe("send-mail");
    expect(await outboxRows()).toHaveLength(0);
    expect(await jobsTo(refused)).toHaveLength(0);
  });

  it("keeps rows through a Redis outage and delivers them once Redis is back", async () => {
    startRelay();
    await redisProxy.stop();
    const recipients = [recipient(), recipient(), recipient()];
    for (const to of recipients) await enqueueMail(deps.db, mailTo(to));
    const warnedBefore = logs.filter((line) => line.msg.startsWith("outbox relay cannot move jobs")).length;
    await eventually(() => logs.filter((line) => line.msg.startsWith("outbox relay cannot move jobs")).length > warnedBefore);
    expect(await outboxRows()).toHaveLength(3);

    await redisProxy.start();
    await eventually(async () => (await outboxRows()).length === 0);
    for (const to of recipients) expect(await jobsTo(to)).toHaveLength(1);
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it("rides out a PostgreSQL outage without an error and relays what is written afterwards", async () => {
    startRelay();
    await pgProxy.stop();
    const warnedBefore = logs.filter((line) => line.msg.startsWith("outbox relay cannot move jobs")).length;
    await eventually(() => logs.filter((line) => line.msg.startsWith("outbox relay cannot move jobs")).length > warnedBefore);
    await pgProxy.start();
    const to = recipient();
    await eventually(async () => (await enqueueMail(deps.db, mailTo(to)), true));
    await eventually(async () => (await jobsTo(to)).length === 1);
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it("sets aside a row it cannot unseal and still relays the others", async () => {
    const [row] = await deps.db.insert(outbox).values({ queue: "mail", jobName: "send-mail", sealedPayload: "v1.not.a.sealed-payload" }).returning();
    const to = recipient();
    await enqueueMail(deps.db, mailTo(to));
    startRelay();
    await eventually(async () => (await jobsTo(to)).length === 1);
    const left = await outboxRows();
    expect(left.map((rest) => rest.id)).toEqual([row!.id]);
    expect(left[0]!.lastError).toMatch(/cannot be unsealed/);
  });

  it("lets several relays share the rows; each row reaches the queue once", async () => {
    const recipients = Array.from({ length: 40 }, recipient);
    await deps.db.transaction(async (tx) => {
      for (const to of recipients) await enqueueMail(tx, mailTo(to));
    });
    const others = [startOutboxRelay(deps, deps.queues, { pollMs: 100, batchSize: 3 }), startOutboxRelay(deps, deps.queues, { pollMs: 100, batchSize: 3 })];
    startRelay();
    try {
      await eventually(async () => (await outboxRows()).filter((row) => !row.lastError).length === 0);
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
    for (const to of recipients) expect(await jobsTo(to)).toHaveLength(1);
  });
});
