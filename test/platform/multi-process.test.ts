import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../src/platform/deps.js";
import { outbox } from "../../src/platform/outbox/tables.js";
import { enqueueMail } from "../../src/platform/queue.js";
import { addMember, createUser, createWorkspace, signedInClient as signIn } from "../helpers/factories.js";
import { HttpClient, sessionIdOf } from "../helpers/http-client.js";
import { startProcessStack, type ProcessStack } from "../helpers/process-stack.js";
import { startSmtpCatcher, type SmtpCatcher } from "../helpers/smtp-catcher.js";

// Two web processes (src/server.ts) and two separate worker processes
// (jobs/worker.ts, IN_PROCESS_WORKER=false) on one PostgreSQL database and one
// Redis prefix, started once for the whole file. One browser-like client
// alternates between the web ports: whatever one process decides, the other
// must honour at once, and every job runs once across the two workers.

let stack: ProcessStack;
let deps: Deps;
let redisPrefix: string;
let smtp: SmtpCatcher;
let A: string;
let B: string;

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number) => stack.waitFor(what, probe, timeoutMs);

const mailTo = (address: string, subject: RegExp) =>
  waitFor(`an SMTP mail to ${address} matching ${subject}`, async () => smtp.received.find((mail) => mail.to.includes(address) && subject.test(mail.raw))?.raw.replace(/=\r?\n/g, ""));

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  stack = await startProcessStack({
    name: "multi",
    web: 2,
    workers: 2,
    env: {
      SMTP_URL: smtp.url,
      IN_PROCESS_WORKER: "false",
      // Each test client may claim its own address (X-Forwarded-For from loopback).
      TRUST_PROXY: "loopback",
    },
  });
  ({ deps, redisPrefix } = stack);
  [A, B] = stack.bases as [string, string];
}, 150_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
}, 60_000);

describe("two web processes and two workers on one database and Redis", () => {
  it("a session made on A works on B", async () => {
    const user = await createUser(deps);
    const client = await signIn(A, user);
    const onB = await client.get(`${B}/settings/profile`);
    expect(onB.status).toBe(200);
    expect(onB.text).toContain(user.username);
  });

  it("sessions ended on A are refused on B at once: sign out everywhere, and a password change", async () => {
    const user = await createUser(deps);
    const elsewhere = await signIn(B, user);
    const mine = await signIn(A, user);
    expect((await elsewhere.get(`${B}/settings/profile`)).status).toBe(200);
    await mine.get(`${A}/settings/security`);
    expect((await mine.post(`${A}/settings/security/sessions/others/end`, { confirmed: "yes" })).status).toBe(303);
    expect((await elsewhere.get(`${B}/settings/profile`)).status).toBe(303);
    // This session goes on, on either process.
    expect((await mine.get(`${B}/settings/profile`)).status).toBe(200);

    const another = await signIn(A, user);
    await mine.get(`${B}/settings/security`);
    const newPassword = "Two-Process-Secret-58";
    const changed = await mine.post(`${B}/settings/security/password`, {
      currentPassword: user.password,
      newPassword,
      confirmPassword: newPassword,
      signOutOthersOffered: "1",
      signOutOthers: "1",
    });
    expect(changed.status).toBe(303);
    expect((await another.get(`${A}/settings/profile`)).status).toBe(303);
    expect((await mine.get(`${A}/settings/profile`)).status).toBe(200);
  });

  it("a role change and a removal made on A apply on B at the member's next request", async () => {
    const owner = await createUser(deps);
    const member = await createUser(deps);
    const workspace = await createWorkspace(deps, owner);
    await addMember(deps, workspace, member, "admin");
    const ownerClient = await signIn(A, owner);
    const memberClient = await signIn(B, member);
    expect((await memberClient.get(`${B}/w/${workspace.slug}/settings`)).status).toBe(200);

    await ownerClient.get(`${A}/w/${workspace.slug}/members`);
    expect((await ownerClient.post(`${A}/w/${workspace.slug}/members/${member.id}/role`, { role: "member", expected: "admin" })).status).toBe(303);
    expect((await memberClient.get(`${B}/w/${workspace.slug}/settings`)).status).toBe(403);

    expect((await ownerClient.post(`${A}/w/${workspace.slug}/members/${member.id}/remove`, { confirmed: "yes" })).status).toBe(303);
    // The member's session was signed into this workspace (their only one):
    // the removal ended it, on B too.
    const after = await memberClient.get(`${B}/w/${workspace.slug}`);
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login/);
  });

  it("counts failed sign-ins across both processes: 10 from anywhere pause the account", async () => {
    const user = await createUser(deps);
    for (let i = 0; i < 10; i++) {
      const client = new HttpClient(i % 2 === 0 ? A : B);
      await client.get("/login");
      const response = await client.post("/login", { login: user.username, password: "Wrong-password-1" }, { headers: { "x-forwarded-for": `203.0.113.${Math.floor(i / 5) + 1}` } });
      expect(response.status).toBe(401);
    }
    const late = new HttpClient(A);
    await late.get("/login");
    const refused = await late.post("/login", { login: user.username, password: user.password }, { headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("Sign-in is paused for 15 minutes.");
    // The owner's notice is a job one of the workers ran.
    expect(await mailTo(user.email, /paused/)).toContain("10 failed sign-in attempts");
  });

  it("a code sent via A is verified via B, once; the resend wait holds on both", async () => {
    const user = await createUser(deps);
    const client = await signIn(A, user);
    const address = `two-process-${user.username}@example.test`;
    expect((await client.post(`${A}/settings/profile/email/send`, { value: address })).status).toBe(303);
    expect((await client.post(`${B}/settings/profile/email/send`, { value: address })).status).toBe(429);
    const raw = await mailTo(address, /verification code/);
    const code = /code to verify this email address is (\d{6})/.exec(raw)![1]!;
    expect((await client.post(`${B}/settings/profile/email/confirm`, { code })).status).toBe(303);
    expect((await client.post(`${A}/settings/profile/email/confirm`, { code })).status).not.toBe(303);
    expect((await client.get(`${A}/settings/profile`)).text).toContain(`data-testid="email-value">${address}<`);
  });

  it("a step-up made on A is honoured on B", async () => {
    const user = await createUser(deps);
    const client = await signIn(A, user);
    await signIn(B, user);
    // Make the sign-in 20 minutes old (older than FRESH_AUTH_MINUTES) in the shared store.
    const key = `${redisPrefix}sess:${sessionIdOf(client)}`;
    const session = JSON.parse((await deps.redis.get(key))!) as { authenticatedAt: number };
    session.authenticatedAt -= 20 * 60_000;
    await deps.redis.set(key, JSON.stringify(session), "KEEPTTL");

    await client.get(`${B}/settings/security`);
    const stale = await client.post(`${B}/settings/security/sessions/others/end`, { confirmed: "yes" }, { headers: { referer: `${B}/settings/security` } });
    expect(stale.location).toBe("/reauth?return_to=%2Fsettings%2Fsecurity");
    await client.get(`${A}/reauth?return_to=%2Fsettings%2Fsecurity`);
    const ok = await client.post(`${A}/reauth`, { method: "password", password: user.password, return_to: "/settings/security" });
    expect(ok.location).toBe("/settings/security");
    await client.get(`${B}/settings/security`);
    const done = await client.post(`${B}/settings/security/sessions/others/end`, { confirmed: "yes" });
    expect(done.location).toBe("/settings/security");
  });

  it("runs each outbox row exactly once across the two workers", async () => {
    const batch = randomBytes(3).toString("hex");
    const addresses = Array.from({ length: 30 }, (_, i) => `bulk-${batch}-${i}@example.test`);
    for (const to of addresses) await enqueueMail(deps.db, { to, subject: `Bulk ${batch}`, text: `one of ${addresses.length}` });
    const mine = () => smtp.received.filter((mail) => mail.to.some((to) => addresses.includes(to)));
    await waitFor("every bulk mail delivered", async () => mine().length >= addresses.length);
    // Drained: nothing left in the outbox or the queue that could still run.
    await waitFor("the outbox and the mail queue empty", async () => {
      const rows = await deps.db.select().from(outbox);
      const counts = await deps.queues.get("mail").getJobCounts("waiting", "active", "delayed", "prioritized");
      return rows.length === 0 && Object.values(counts).every((n) => n === 0);
    });
    const perAddress = addresses.map((to) => mine().filter((mail) => mail.to.includes(to)).length);
    expect(perAddress).toEqual(addresses.map(() => 1));
    // Both workers serve the queue.
    expect(await deps.queues.get("mail").getWorkersCount()).toBe(2);
  });
});
