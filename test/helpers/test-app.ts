import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import pg from "pg";
import { inject } from "vitest";
import { logProducedEventTypes } from "../audit/produced-events.js";
import { jobRegistry } from "../../jobs/registry.js";
import { startWorkers } from "../../jobs/worker.js";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import type { Clock } from "../../src/platform/clock.js";
import { createLogger } from "../../src/platform/logger.js";
import { deleteKeys, scanKeys } from "../../src/platform/redis.js";
import { readOutbox, type OutboxEntry } from "../../src/platform/mail.js";
import { readSmsOutbox, type SmsOutboxEntry } from "../../src/platform/sms.js";
import { databaseUrlFor, TEST_DATABASE_URL, TEST_REDIS_URL } from "./env.js";
import { freePort } from "./processes.js";

export interface TestApp {
  baseUrl: string;
  deps: Deps;
  databaseName: string;
  redisPrefix: string;
  mail: MailCatcher;
  sms: SmsCatcher;
  // A second web process on the same database and Redis (many-instance tests).
  startAnotherInstance(): Promise<{ baseUrl: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface MailCatcher {
  all(): OutboxEntry[];
  // The newest message to `to` whose subject (and text, if given) match.
  waitFor(to: string, subject: RegExp, options?: { text?: RegExp; timeoutMs?: number }): Promise<OutboxEntry>;
}

export async function createTestDatabase(): Promise<string> {
  const name = `latchkey_test_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject("templateDatabase")}`);
  } finally {
    await admin.end();
  }
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: "test", LOG_LEVEL: "silent", SECRET_KEY: "test-secret-key-that-is-long-enough-0123456789", ...overrides };
}

// A real app on a real port with its own database and Redis key prefix, and
// the mail worker running in-process writing to a private outbox.
export async function startTestApp(
  // localhostOrigin: served as http://localhost:<port> with BASE_URL set to
  // it, the one plain-HTTP origin browsers trust for passkeys.
  options: { clock?: Clock; env?: Record<string, string>; rewriteUrl?: (url: string) => string; localhostOrigin?: boolean } = {},
): Promise<TestApp> {
  const rewrite = options.rewriteUrl ?? ((url: string) => url);
  const databaseName = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-test-"));
  const redisPrefix = `lk-test-${randomBytes(5).toString("hex")}:`;
  const port = options.localhostOrigin ? await freePort() : 0;
  const origin: Record<string, string> = options.localhostOrigin ? { BASE_URL: `http://localhost:${port}` } : {};
  // A Redis Cluster or Sentinel in options.env replaces the test Redis URL.
  const otherRedis = options.env?.REDIS_CLUSTER_NODES || options.env?.REDIS_SENTINELS;
  const redisUrl: Record<string, string> = otherRedis ? {} : { REDIS_URL: rewrite(TEST_REDIS_URL) };
  const config = loadConfig(
    testEnv({ DATABASE_URL: rewrite(databaseUrlFor(databaseName)), ...redisUrl, REDIS_PREFIX: redisPrefix, DATA_DIR: dataDir, ...origin, ...options.env }),
  );
  const deps = await buildDeps(config, { clock: options.clock, logger: createLogger("silent"), jobs: jobRegistry });
  const workers = startWorkers(deps, jobRegistry);
  const listening = await listen(createApp(deps), port);
  const { server } = listening;
  const baseUrl = options.localhostOrigin ? `http://localhost:${port}` : listening.baseUrl;
  const others: Array<() => Promise<void>> = [];

  return {
    baseUrl,
    deps,
    databaseName,
    redisPrefix,
    mail: mailCatcher(deps.outboxDir),
    sms: smsCatcher(deps.smsOutboxDir),
    async startAnotherInstance() {
      const otherDeps = await buildDeps(config, { clock: options.clock, logger: createLogger("silent"), jobs: jobRegistry });
      const other = await listen(createApp(otherDeps));
      const close = async () => {
        await closeServer(other.server);
        await otherDeps.close();
      };
      others.push(close);
      return { baseUrl: other.baseUrl, close };
    },
    async close() {
      await Promise.all(others.map((close) => close().catch(() => {})));
      await closeServer(server);
      await workers.close();
      await deleteKeys(deps.redis, await scanKeys(deps.redis, `${redisPrefix}*`));
      // Which event types this file's flows recorded (test/audit/produced-events.ts).
      await logProducedEventTypes(deps.db, inject("templateDatabase"));
      await deps.close();
      await dropTestDatabase(databaseName);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function listen(app: ReturnType<typeof createApp>, port = 0): Promise<{ server: Server; baseUrl: string }> {
  return new Promise((resolve) => {
    const server = app.listen(port, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, baseUrl: `http://127.0.0.1:${port}` });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function mailCatcher(outboxDir: string): MailCatcher {
  return {
    all: () => readOutbox(outboxDir),
    async waitFor(to, subject, { text, timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = readOutbox(outboxDir).find((mail) => mail.to === to && subject.test(mail.subject) && (!text || text.test(mail.text)));
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`No mail to ${to} matching ${subject} within ${timeoutMs} ms`);
    },
  };
}

export interface SmsCatcher {
  all(): SmsOutboxEntry[];
  waitFor(to: string, text: RegExp, timeoutMs?: number): Promise<SmsOutboxEntry>;
}

export function smsCatcher(outboxDir: string): SmsCatcher {
  return {
    all: () => readSmsOutbox(outboxDir),
    async waitFor(to, text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = readSmsOutbox(outboxDir).find((sms) => sms.to === to && text.test(sms.text));
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`No SMS to ${to} matching ${text} within ${timeoutMs} ms`);
    },
  };
}

// The 6-digit code in a message.
export function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1]!;
}
