import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkers, type RunningWorkers } from "../../jobs/worker.js";
import { jobRegistry } from "../../jobs/registry.js";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { outbox } from "../../src/platform/outbox/index.js";
import { enqueueMail } from "../../src/platform/queue.js";
import { TEST_REDIS_URL } from "../helpers/env.js";
import { mailCatcher, testEnv } from "../helpers/test-app.js";

// The embedded default has no second connection to LISTEN on: the relay
// polls, and `for update skip locked` must work on PGlite too.
let deps: Deps;
let workers: RunningWorkers;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-outbox-pglite-"));
  const config = loadConfig(testEnv({ DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `lk-obx-pglite-${randomBytes(4).toString("hex")}:` }));
  deps = await buildDeps(config, { jobs: jobRegistry });
  await deps.database.migrate();
  workers = startWorkers(deps);
});

afterAll(async () => {
  await workers.close();
  const keys = await deps.redis.keys(`${deps.config.redisPrefix}*`);
  if (keys.length) await deps.redis.del(...keys);
  await deps.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the outbox on embedded PGlite", () => {
  it("delivers a mail committed in a transaction and drops one rolled back", async () => {
    await deps.db
      .transaction(async (tx) => {
        await enqueueMail(tx, { to: "dropped@example.test", subject: "Never sent", text: "This change was refused." });
        throw new Error("refused");
      })
      .catch(() => {});
    await deps.db.transaction(async (tx) => {
      await enqueueMail(tx, { to: "kept@example.test", subject: "Welcome to Latchkey", text: "Hello." });
    });
    const mails = mailCatcher(deps.outboxDir);
    await mails.waitFor("kept@example.test", /Welcome to Latchkey/);
    expect(mails.all().map((mail) => mail.to)).toEqual(["kept@example.test"]);
    expect(await deps.db.select().from(outbox)).toHaveLength(0);
  });
});
