import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { passwordResets } from "../../src/modules/password/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const SENT = "If an account exists for that address, we sent a link";
const NEW_PASSWORD = "Fresh-Start-2027";
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

// Every test here comes from 127.0.0.1: give each one the full per-IP budget.
beforeEach(async () => {
  const keys = await app.deps.redis.keys(`${app.redisPrefix}password-reset:*ip*`);
  if (keys.length) await app.deps.redis.del(...keys);
});

type TestUser = Awaited<ReturnType<typeof createUser>>;

async function ask(login: string, options: { htmx?: boolean } = {}) {
  const client = new HttpClient(app.baseUrl);
  await client.get("/forgot-password");
  const response = await client.post("/forgot-password", { login }, options);
  // CSRF tokens and CSP nonces differ per request by design.
  return { status: response.status, text: response.text, body: response.text.replace(/(value|nonce)="[^"]*"|"x-csrf-token": "[^"]*"/g, "") };
}

async function tokenFor(user: TestUser): Promise<string> {
  const mail = await app.mail.waitFor(user.email, /Reset your Latchkey password/);
  const token = /\/reset-password\/([A-Za-z0-9_-]+)\s/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no reset link in: ${mail.text}`);
  return token;
}

async function resetRows(userId: string) {
  return app.deps.db.select().from(passwordResets).where(eq(passwordResets.userId, userId));
}

async function storedHash(userId: string) {
  const [row] = await app.deps.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return row!.passwordHash;
}

async function canSignIn(login: string, password: string): Promise<boolean> {
  return (await new HttpClient(app.baseUrl).submit("/login", "/login", { login, password })).status === 303;
}

describe("no account enumeration", () => {
  it("known, unknown, single sign-on and locked accounts get the same status and the same page", async () => {
    const known = await createUser(app.deps);
    const sso = await createUser(app.deps);
    await app.deps.db.update(users).set({ passwordHash: null }).where(eq(users.id, sso.id));
    const locked = await createUser(app.deps);
    await app.deps.db.update(users).set({ status: "locked" }).where(eq(users.id, locked.id));

    const reference = await ask(known.username);
    expect(reference.status).toBe(200);
    expect(reference.text).toContain(SENT);
    for (const login of [`nobody_${known.username}`, known.email, `nobody.${known.email}`, sso.username, locked.email]) {
      const answer = await ask(login);
      expect(answer.status, login).toBe(reference.status);
      expect(answer.body, login).toBe(reference.body);
    }

    const htmxKnown = await ask(known.email.toUpperCase(), { htmx: true });
    const htmxUnknown = await ask("nobody@nowhere.example", { htmx: true });
    expect(htmxKnown.status).toBe(200);
    expect(htmxUnknown.status).toBe(200);
    expect(htmxUnknown.body).toBe(htmxKnown.body);
    expect(htmxKnown.text).toContain(SENT);

    // Only the real, local, active account got a link.
    await tokenFor(known);
    expect(await resetRows(locked.id)).toHaveLength(0);
    expect(await resetRows(sso.id)).toHaveLength(0);
  });
});

describe("reset tokens", () => {
  it("are long random strings stored only as their SHA-256", async () => {
    const user = await createUser(app.deps);
    await ask(user.username);
    const token = await tokenFor(user);
    // 32 random bytes in base64url: far beyond the 128-bit minimum.
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const rows = await resetRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(token);
    const audit = await app.deps.db.select().from(auditEvents);
    expect(JSON.stringify(audit)).not.toContain(token);

    // Every link is new.
    const other = await createUser(app.deps);
    await ask(other.username);
    expect(await tokenFor(other)).not.toBe(token);
  });

  it("are sent at most once a minute per account, however the account is named", async () => {
    const user = await createUser(app.deps);
    const neighbour = await createUser(app.deps);
    for (const login of [user.username, user.email, user.username.toUpperCase()]) {
      const answer = await ask(login);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain(SENT);
    }
    await tokenFor(user);
    expect(await resetRows(user.id)).toHaveLength(1);
    expect(app.mail.all().filter((mail) => mail.to === user.email)).toHaveLength(1);
    // Another account is not held back by it.
    await ask(neighbour.email);
    await tokenFor(neighbour);
  });

  it("requests from one network are capped, with the same answer for any account", async () => {
    const user = await createUser(app.deps);
    for (let i = 0; i < 20; i++) expect((await ask(`someone_${i}`)).status).toBe(200);
    for (const login of [user.username, "nobody_at_all"]) {
      const refused = await ask(login);
      expect(refused.status).toBe(429);
      expect(refused.text).toContain("Too many reset requests from your network. Try again later.");
    }
    expect(await resetRows(user.id)).toHaveLength(0);
  });

  it("are never read from the query string", async () => {
    const user = await createUser(app.deps);
    await ask(user.username);
    const token = await tokenFor(user);
    const client = new HttpClient(app.baseUrl);
    await client.get("/forgot-password");

    for (const path of [`/reset-password?token=${token}`, `/reset-password/?token=${token}`]) {
      const page = await client.get(path);
      expect(page.status, path).toBe(404);
      expect(page.text).not.toContain("Choose a new password");
    }
    const wrongPath = await client.get(`/reset-password/not-the-token?token=${token}`);
    expect(wrongPath.status).toBe(404);
    expect(wrongPath.text).toContain("This reset link is not valid");

    const before = await storedHash(user.id);
    for (const path of [`/reset-password?token=${token}`, `/reset-password/not-the-token?token=${token}`]) {
      const response = await client.post(path, { token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(response.status, path).toBe(404);
    }
    expect(await storedHash(user.id)).toBe(before);
    // Untouched: the link itself still works.
    expect((await client.get(`/reset-password/${token}`)).status).toBe(200);
  });

  it("change only the account they were sent for, whatever the form or the session says", async () => {
    const alice = await createUser(app.deps);
    const bob = await createUser(app.deps);
    const bobsBrowser = await signedInClient(app.baseUrl, bob);
    const bobsHash = await storedHash(bob.id);
    await ask(alice.username);
    const token = await tokenFor(alice);

    const page = await bobsBrowser.get(`/reset-password/${token}`);
    expect(page.text).toContain(`data-testid="reset-username">${alice.username}<`);
    const response = await bobsBrowser.post(`/reset-password/${token}`, {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
      userId: bob.id,
      username: bob.username,
      login: bob.username,
      email: bob.email,
    });
    expect(response.status).toBe(303);

    expect(await storedHash(bob.id)).toBe(bobsHash);
    expect(await canSignIn(bob.username, bob.password)).toBe(true);
    expect(await canSignIn(bob.username, NEW_PASSWORD)).toBe(false);
    expect(await canSignIn(alice.username, NEW_PASSWORD)).toBe(true);
    // Bob's own session was not Alice's to end.
    expect((await bobsBrowser.get("/settings/profile")).status).toBe(200);
  });

  it("two simultaneous submissions of one link: exactly one wins", async () => {
    const user = await createUser(app.deps);
    await ask(user.username);
    const token = await tokenFor(user);
    const path = `/reset-password/${token}`;
    const browsers = [new HttpClient(app.baseUrl), new HttpClient(app.baseUrl)];
    for (const browser of browsers) await browser.get(path);
    const passwords = ["Racer-One-Pass-1", "Racer-Two-Pass-2"];
    const responses = await Promise.all(browsers.map((browser, i) => browser.post(path, { newPassword: passwords[i]!, confirmPassword: passwords[i]! })));
    const winners = responses.map((response, i) => (response.status === 303 ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    const loser = responses[1 - winners[0]!]!;
    expect([409, 410]).toContain(loser.status);
    expect(await canSignIn(user.username, passwords[winners[0]!]!)).toBe(true);
    expect(await canSignIn(user.username, passwords[1 - winners[0]!]!)).toBe(false);
  });

  it("pages reached through a link are not cached and send no referrer", async () => {
    const user = await createUser(app.deps);
    await ask(user.username);
    const page = await new HttpClient(app.baseUrl).get(`/reset-password/${await tokenFor(user)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("probing for links is capped per network", async () => {
    const user = await createUser(app.deps);
    await ask(user.username);
    const token = await tokenFor(user);
    const client = new HttpClient(app.baseUrl);
    for (let i = 0; i < 30; i++) {
      expect((await client.get(`/reset-password/${"A".repeat(42)}${i % 10}`)).status).toBe(404);
    }
    const refused = await client.get(`/reset-password/${token}`);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("Too many invalid reset links from your network.");
  });
});
