import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { manualClock } from "../../src/platform/clock.js";
import { createSecretBox } from "../../src/platform/crypto/secret-box.js";
import { users } from "../../src/modules/users/tables.js";
import { backupCodes } from "../../src/modules/two-factor/tables.js";
import { createUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";

const clock = manualClock(new Date("2026-11-23T09:00:10Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function passwordStep(user: { username: string; password: string }) {
  const client = new HttpClient(app.baseUrl);
  const response = await client.submit("/login", "/login", { login: user.username, password: user.password });
  expect(response.location).toBe("/login/verify");
  return client;
}

describe("TOTP replay", () => {
  it("accepts a code once: the same code in a second sign-in is refused", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    clock.advance(30_000);
    const code = codeForSecret(secret, clock.now().getTime());
    expect((await (await passwordStep(user)).post("/login/verify", { code })).status).toBe(303);
    const replay = await (await passwordStep(user)).post("/login/verify", { code });
    expect(replay.status).toBe(422);
    expect(replay.text).toContain("That code is not correct or was already used.");
  });

  it("two concurrent submissions of one code give one success", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    clock.advance(30_000);
    const code = codeForSecret(secret, clock.now().getTime());
    const clients = await Promise.all([passwordStep(user), passwordStep(user), passwordStep(user)]);
    const statuses = await Promise.all(clients.map(async (client) => (await client.post("/login/verify", { code })).status));
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.filter((status) => status === 422)).toHaveLength(2);
  });

  it("an older code is refused once a newer step was used", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    clock.advance(60_000);
    const now = clock.now().getTime();
    expect((await (await passwordStep(user)).post("/login/verify", { code: codeForSecret(secret, now, 1) })).status).toBe(303);
    expect((await (await passwordStep(user)).post("/login/verify", { code: codeForSecret(secret, now) })).status).toBe(422);
  });
});

describe("brute force", () => {
  it("5 wrong codes end the challenge; the right code afterwards does not sign in", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    clock.advance(30_000);
    const client = await passwordStep(user);
    const right = codeForSecret(secret, clock.now().getTime());
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) await client.post("/login/verify", { code: wrong });
    const after = await client.post("/login/verify", { code: right });
    expect(after.location).toBe("/login");
    expect((await client.get("/settings/profile")).location).toMatch(/^\/login/);
  });

  it("the challenge belongs to the browser that passed the password step", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    clock.advance(30_000);
    await passwordStep(user);
    const stranger = new HttpClient(app.baseUrl);
    await stranger.get("/login");
    const response = await stranger.post("/login/verify", { code: codeForSecret(secret, clock.now().getTime()) });
    expect(response.location).toBe("/login");
  });

  it("a challenge older than 10 minutes is void", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    const client = await passwordStep(user);
    clock.advance(11 * 60_000);
    expect((await client.post("/login/verify", { code: codeForSecret(secret, clock.now().getTime()) })).location).toBe("/login");
  });
});

describe("secrets at rest", () => {
  it("stores the TOTP secret encrypted with AES-256-GCM under SECRET_KEY", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    const [stored] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    const sealed = stored!.totpSecretEncrypted!;
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain(secret);
    expect(createSecretBox(app.deps.config.secretKey, "totp-secret").open(sealed)).toBe(secret);
    expect(() => createSecretBox("another-secret-key-that-is-long-enough-123", "totp-secret").open(sealed)).toThrow();
    expect(() => createSecretBox(app.deps.config.secretKey, "other-purpose").open(sealed)).toThrow();
    const [version, iv, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => createSecretBox(app.deps.config.secretKey, "totp-secret").open([version, iv, tag, flipped.toString("base64url")].join("."))).toThrow();
  });

  it("stores backup codes only as keyed hashes", async () => {
    const user = await createUser(app.deps);
    const { backupCodes: codes } = await enableTotpFor(app.deps, user);
    const rows = await app.deps.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id));
    const dump = JSON.stringify(rows);
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace("-", ""));
    }
    for (const row of rows) expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
