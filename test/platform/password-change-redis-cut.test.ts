import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { createUser, reloadUser, signedInClient } from "../helpers/factories.js";
import { TEST_REDIS_URL } from "../helpers/env.js";
import type { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { startRespCutProxy, type CutMode, type RespCutProxy } from "./resp-cut-proxy.js";

// Redis is cut at every Redis command a password change ("sign out all other
// sessions" ticked) makes on the app's connection, both before the command
// reaches Redis and after Redis ran it but before the reply came back.
// Counting commands (not milliseconds) makes each cut point the same on
// every run. Afterwards the stored hash, the other session, this session and
// the notice mail must all agree with the answer the user got: 303 (done,
// every effect) or 503 (not done, nothing changed).
let app: TestApp;
let proxy: RespCutProxy;
const APP_CONNECTION = "latchkey-app";
const CHANGED = /Your Latchkey password was changed/;

beforeAll(async () => {
  const redisUrl = new URL(TEST_REDIS_URL);
  proxy = await startRespCutProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  app = await startTestApp({ rewriteUrl: (url) => (url.startsWith("redis") ? proxy.url(url) : url) });
});

afterAll(async () => {
  await proxy.restore();
  await app.close();
  await proxy.stop();
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not met in time");
}

const fields = (current: string, next: string) => ({
  currentPassword: current,
  newPassword: next,
  confirmPassword: next,
  signOutOthersOffered: "1",
  signOutOthers: "1",
});

async function changeEvents(userId: string): Promise<number> {
  const rows = await app.deps.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, userId), eq(auditEvents.action, "password.changed")));
  return rows.length;
}

interface Attempt {
  at: number;
  mode: CutMode | "none";
  status: number;
  email: string;
}

// One password change with Redis cut at command `at` (or not at all), then
// Redis back and every observable effect compared with the answer.
async function attempt(at: number, mode: CutMode | "none", index: number): Promise<Attempt> {
  const user = await createUser(app.deps);
  const here = await signedInClient(app.baseUrl, user);
  const other = await signedInClient(app.baseUrl, user);
  await here.get("/settings/security");
  const before = await reloadUser(app.deps, user.id);
  const newPassword = `Cut-Point-${index}-Secret`;

  if (mode === "none") proxy.record(APP_CONNECTION);
  else proxy.arm(APP_CONNECTION, at, mode);
  const response = await here.post("/settings/security/password", fields(user.password, newPassword));
  await proxy.restore();
  await eventually(async () => (await here.get("/healthz")).status === 200 && (await fetch(`${app.baseUrl}/readyz`)).status === 200);
  // ioredis' app connection must be ready again before pages can load.
  await eventually(async () => app.deps.redis.status === "ready");

  const label = `cut ${mode} command ${at}: answered ${response.status}`;
  expect([303, 503], label).toContain(response.status);
  const done = response.status === 303;
  const after = await reloadUser(app.deps, user.id);
  expect(after.passwordHash !== before.passwordHash, `${label}, hash changed`).toBe(done);
  expect(await changeEvents(user.id), `${label}, events`).toBe(done ? 1 : 0);
  await expectSignedOut(other, done, `${label}, other session`);
  await expectSignedOut(here, false, `${label}, this session`);
  return { at, mode, status: response.status, email: user.email };
}

async function expectSignedOut(client: HttpClient, signedOut: boolean, label: string): Promise<void> {
  const page = await client.get("/settings/security");
  if (signedOut) {
    expect(page.status, label).toBe(303);
    expect(page.location, label).toMatch(/^\/login/);
  } else {
    expect(page.status, label).toBe(200);
  }
}

describe("a Redis cut at each step of a password change", () => {
  it("leaves the database, the other sessions and the notice in agreement with the answer", { timeout: 600_000 }, async () => {
    const baseline = await attempt(0, "none", 0);
    expect(baseline.status).toBe(303);
    const commands = proxy.recorded();
    // Sanity: the change really talks to Redis several times.
    expect(commands.length, commands.join(" ")).toBeGreaterThanOrEqual(5);
    console.info(`app-connection commands of a password change: ${commands.map((c, i) => `${i}:${c}`).join(" ")}`);

    const attempts: Attempt[] = [baseline];
    let index = 1;
    for (let at = 0; at < commands.length; at++) {
      for (const mode of ["before", "after"] as const) attempts.push(await attempt(at, mode, index++));
    }
    expect(attempts.length).toBeGreaterThanOrEqual(21);

    // The notice follows the answer: mailed exactly once when done (the
    // outbox relays it once Redis is back), never when not done.
    for (const done of attempts.filter((a) => a.status === 303)) await app.mail.waitFor(done.email, CHANGED, { timeoutMs: 20_000 });
    const mails = app.mail.all().filter((mail) => CHANGED.test(mail.subject));
    for (const a of attempts) {
      expect(mails.filter((mail) => mail.to === a.email).length, `cut ${a.mode} command ${a.at}: answered ${a.status}, notices`).toBe(a.status === 303 ? 1 : 0);
    }
    console.info(`password change: ${commands.length} app-connection commands (${commands.join(" ")}); ${attempts.length} attempts, ${attempts.filter((a) => a.status === 303).length} done, ${attempts.filter((a) => a.status === 503).length} not done`);
  });
});
