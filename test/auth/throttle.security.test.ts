import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
let proxiedApp: TestApp;

beforeAll(async () => {
  [app, proxiedApp] = await Promise.all([startTestApp(), startTestApp({ env: { TRUST_PROXY: "loopback" } })]);
});
afterAll(() => Promise.all([app.close(), proxiedApp.close()]));

async function tryLogin(target: TestApp, login: string, password: string, forwardedFor?: string) {
  const client = new HttpClient(target.baseUrl);
  await client.get("/login");
  return client.post("/login", { login, password }, { headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} });
}

describe("failed sign-in throttling", () => {
  it("delays the account+IP after 5 failures, even for the right password, and a forged X-Forwarded-For does not reset it", async () => {
    const user = await createUser(app.deps);
    for (let i = 0; i < 5; i++) {
      expect((await tryLogin(app, user.username, "Wrong-password-1", `10.0.0.${i}`)).status).toBe(401);
    }
    const blocked = await tryLogin(app, user.username, user.password, "10.9.9.9");
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/Wait \d+ s and try again/);
  });

  it("throttles an unknown account exactly like a known one", async () => {
    const user = await createUser(app.deps);
    const statuses = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 6; i++) {
      statuses.known.push((await tryLogin(app, user.username, "Wrong-password-1")).status);
      statuses.unknown.push((await tryLogin(app, `ghost_${user.username}`, "Wrong-password-1")).status);
    }
    expect(statuses.known).toEqual([401, 401, 401, 401, 401, 429]);
    expect(statuses.unknown).toEqual(statuses.known);
  });

  it("locks the account for 15 minutes after 10 failures from anywhere and emails its owner", async () => {
    const user = await createUser(proxiedApp.deps);
    // Behind a trusted proxy each client address gets its own 5 free failures.
    for (let i = 0; i < 10; i++) {
      const response = await tryLogin(proxiedApp, user.username, "Wrong-password-1", `203.0.113.${Math.floor(i / 5) + 1}`);
      expect(response.status).toBe(401);
    }
    const fromElsewhere = await tryLogin(proxiedApp, user.username, user.password, "198.51.100.7");
    expect(fromElsewhere.status).toBe(429);
    expect(fromElsewhere.text).toContain("Sign-in is paused for 15 minutes.");
    const mail = await proxiedApp.mail.waitFor(user.email, /paused/);
    expect(mail.text).toContain("10 failed sign-in attempts");
    const ttl = await proxiedApp.deps.redis.pttl(`${proxiedApp.redisPrefix}login:account:user:${user.id}`);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
  });

  it("a success clears the account+IP counter", async () => {
    const user = await createUser(app.deps);
    for (let i = 0; i < 4; i++) await tryLogin(app, user.username, "Wrong-password-1");
    expect((await tryLogin(app, user.username, user.password)).status).toBe(303);
    for (let i = 0; i < 4; i++) expect((await tryLogin(app, user.username, "Wrong-password-1")).status).toBe(401);
  });
});
