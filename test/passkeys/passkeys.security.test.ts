import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { passkeys } from "../../src/modules/passkeys/index.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { softwareAuthenticator } from "../helpers/software-authenticator.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// WebAuthn as an attacker would try it, over real HTTP, with a software
// authenticator that can answer wrongly on purpose.
let app: TestApp;
let rp: { id: string; origin: string };

beforeAll(async () => {
  app = await startTestApp({ localhostOrigin: true });
  rp = { id: "localhost", origin: new URL(app.baseUrl).origin };
});
afterAll(() => app.close());

const unescapeHtml = (text: string) => text.replace(/&#34;/g, '"').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

async function registerPasskey(client: HttpClient, authenticator: ReturnType<typeof softwareAuthenticator>, name = "Laptop") {
  await client.get("/settings/security");
  const page = await client.post("/settings/security/passkeys/new", { name });
  expect(page.status).toBe(200);
  const options = JSON.parse(unescapeHtml(/data-options="([^"]+)"/.exec(page.text)![1]!));
  const done = await client.post("/settings/security/passkeys", { credential: JSON.stringify(authenticator.register(options)) });
  expect(done.status).toBe(303);
}

async function signInOptions(client: HttpClient) {
  await client.get("/login");
  const response = await client.request("POST", "/passkeys/options/sign-in", { headers: { "x-csrf-token": client.csrfToken! } });
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as { challenge: string };
}

async function userWithPasskey() {
  const user = await createUser(app.deps);
  await createWorkspace(app.deps, user);
  const authenticator = softwareAuthenticator(rp);
  await registerPasskey(await signedInClient(app.baseUrl, user), authenticator);
  return { user, authenticator };
}

const signedIn = async (client: HttpClient) => (await client.get("/settings/profile")).status === 200;

describe("passkey sign-in", () => {
  it("signs in without a password with a registered passkey, and records the use", async () => {
    const { user, authenticator } = await userWithPasskey();
    const client = new HttpClient(app.baseUrl);
    const answer = authenticator.authenticate(await signInOptions(client));
    const response = await client.post("/login/passkey", { credential: JSON.stringify(answer) });
    expect(response.status).toBe(303);
    expect(await signedIn(client)).toBe(true);
    const [stored] = await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, user.id));
    expect(stored!.lastUsedAt).not.toBeNull();
    expect(stored!.counter).toBe(1);
  });

  it("refuses a replayed assertion: the challenge works once", async () => {
    const { authenticator } = await userWithPasskey();
    const first = new HttpClient(app.baseUrl);
    const answer = JSON.stringify(authenticator.authenticate(await signInOptions(first)));
    expect((await first.post("/login/passkey", { credential: answer })).status).toBe(303);
    const attacker = new HttpClient(app.baseUrl);
    await signInOptions(attacker);
    const replay = await attacker.post("/login/passkey", { credential: answer });
    expect(replay.status).toBe(401);
    expect(await signedIn(attacker)).toBe(false);
  });

  it("refuses an answer made for another origin (phishing)", async () => {
    const { authenticator } = await userWithPasskey();
    const client = new HttpClient(app.baseUrl);
    const answer = authenticator.authenticate(await signInOptions(client), { origin: "https://latchkey.example.evil" });
    const response = await client.post("/login/passkey", { credential: JSON.stringify(answer) });
    expect(response.status).toBe(401);
    expect(response.text).toContain("could not be verified");
    expect(await signedIn(client)).toBe(false);
  });

  it("refuses an answer without user verification", async () => {
    const { authenticator } = await userWithPasskey();
    const client = new HttpClient(app.baseUrl);
    const answer = authenticator.authenticate(await signInOptions(client), { userVerified: false });
    expect((await client.post("/login/passkey", { credential: JSON.stringify(answer) })).status).toBe(401);
    expect(await signedIn(client)).toBe(false);
  });

  it("refuses a counter that went backwards, and records it", async () => {
    const { user, authenticator } = await userWithPasskey();
    const client = new HttpClient(app.baseUrl);
    expect((await client.post("/login/passkey", { credential: JSON.stringify(authenticator.authenticate(await signInOptions(client), { counter: 7 })) })).status).toBe(303);
    const clone = new HttpClient(app.baseUrl);
    const old = authenticator.authenticate(await signInOptions(clone), { counter: 3 });
    expect((await clone.post("/login/passkey", { credential: JSON.stringify(old) })).status).toBe(401);
    expect(await signedIn(clone)).toBe(false);
    const events = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.subjectId, user.id));
    expect(events.map((event) => event.action)).toContain("passkey.counter_regressed");
  });

  it("keeps a challenge 5 minutes at most, bound to this browser session", async () => {
    const { authenticator } = await userWithPasskey();
    const client = new HttpClient(app.baseUrl);
    const options = await signInOptions(client);
    const keys = await app.deps.redis.keys(`${app.redisPrefix}webauthn:sign-in:*`);
    const ttls = await Promise.all(keys.map((key) => app.deps.redis.pttl(key)));
    for (const ttl of ttls) expect(ttl).toBeLessThanOrEqual(5 * 60_000);
    // Another browser cannot use this browser's challenge.
    const other = new HttpClient(app.baseUrl);
    await other.get("/login");
    expect((await other.post("/login/passkey", { credential: JSON.stringify(authenticator.authenticate(options)) })).status).toBe(401);
    // And once it lapses, this one cannot either.
    for (const key of keys) await app.deps.redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await client.post("/login/passkey", { credential: JSON.stringify(authenticator.authenticate(options)) })).status).toBe(401);
  });

  it("answers an unknown passkey exactly like a wrong one (no account is revealed)", async () => {
    await userWithPasskey();
    const stranger = softwareAuthenticator(rp);
    const client = new HttpClient(app.baseUrl);
    const response = await client.post("/login/passkey", { credential: JSON.stringify(stranger.authenticate(await signInOptions(client))) });
    expect(response.status).toBe(401);
    expect(response.text).toContain("That passkey could not be verified. Try again.");
  });
});

describe("passkey registration", () => {
  it("binds the ceremony to the account and session that started it", async () => {
    const alice = await createUser(app.deps);
    const mallory = await createUser(app.deps);
    const aliceClient = await signedInClient(app.baseUrl, alice);
    await aliceClient.get("/settings/security");
    const page = await aliceClient.post("/settings/security/passkeys/new", { name: "Stolen" });
    const options = JSON.parse(unescapeHtml(/data-options="([^"]+)"/.exec(page.text)![1]!));
    const malloryClient = await signedInClient(app.baseUrl, mallory);
    await malloryClient.get("/settings/security");
    const attempt = await malloryClient.post("/settings/security/passkeys", { credential: JSON.stringify(softwareAuthenticator(rp).register(options)) });
    expect(attempt.status).toBe(422);
    expect(await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, mallory.id))).toEqual([]);
    expect(await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, alice.id))).toEqual([]);
  });

  it("refuses a second passkey with the same name, next to the field", async () => {
    const { user } = await userWithPasskey();
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    const again = await client.post("/settings/security/passkeys/new", { name: "laptop" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("You already have a passkey with that name.");
  });

  it("refuses to delete the last passkey of an account without a password", async () => {
    const { user } = await userWithPasskey();
    const client = await signedInClient(app.baseUrl, user);
    await app.deps.db.execute(`update users set password_hash = null where id = '${user.id}'` as never);
    const [stored] = await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, user.id));
    await client.get("/settings/security");
    const response = await client.post(`/settings/security/passkeys/${stored!.id}/delete`, { confirmed: "yes" });
    expect(response.status).toBe(409);
    expect(response.text).toContain("only way to sign in");
    expect(await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, user.id))).toHaveLength(1);
  });

  it("answers 404 for another account's passkey", async () => {
    const { user } = await userWithPasskey();
    const [stored] = await app.deps.db.select().from(passkeys).where(eq(passkeys.userId, user.id));
    const other = await signedInClient(app.baseUrl, await createUser(app.deps));
    await other.get("/settings/security");
    expect((await other.post(`/settings/security/passkeys/${stored!.id}/delete`, { confirmed: "yes" })).status).toBe(404);
    expect((await other.post(`/settings/security/passkeys/${stored!.id}/rename`, { newName: "Mine now" })).status).toBe(404);
  });
});

describe("administrators", () => {
  it("see how many passkeys an account has, and have no way to register one for it", async () => {
    const { user } = await userWithPasskey();
    const admin = await signedInClient(app.baseUrl, await createUser(app.deps, { isInstanceAdmin: true }));
    const page = await admin.get(`/admin/users/${user.id}`);
    expect(page.text).toMatch(/data-testid="admin-passkey-count">1</);
    expect(page.text).not.toContain("/settings/security/passkeys/new");
  });
});

describe("passkeys on an untrusted origin", () => {
  it("are explained, not offered, when the instance is not served over HTTPS or localhost", async () => {
    const plain = await startTestApp({ env: { BASE_URL: "http://latchkey.internal:8080" } });
    try {
      const client = await signedInClient(plain.baseUrl, await createUser(plain.deps));
      const page = await client.get("/settings/security");
      expect(page.text).toContain('data-testid="passkeys-unavailable"');
      expect(page.text).not.toContain('data-testid="passkey-register-form"');
      expect((await client.post("/settings/security/passkeys/new", { name: "Laptop" })).status).toBe(409);
    } finally {
      await plain.close();
    }
  });
});
