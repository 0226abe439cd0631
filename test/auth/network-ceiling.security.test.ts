import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, uniqueName } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// SECURITY.md, failed logins: "... and a per-IP ceiling" (100 failures in 15
// minutes across all accounts). Its own app: the ceiling counts every failure
// from 127.0.0.1, so it would spill into any other test sharing the instance.
const CEILING = 100;
const CLIENTS = 10;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function clientOnLoginPage() {
  const client = new HttpClient(app.baseUrl);
  await client.get("/login");
  return client;
}

describe("per-network sign-in ceiling", () => {
  it("after 100 failures from one network across many accounts, even a correct password of another account is refused with 429", async () => {
    const known = await Promise.all(Array.from({ length: 10 }, () => createUser(app.deps)));
    // One failure per account name, so no per-account or per-account+IP limit
    // ever applies: only the per-network count grows. A tenth are real accounts.
    const logins = Array.from({ length: CEILING }, (_, i) => (i % 10 === 0 ? known[i / 10]!.username : uniqueName("nobody")));
    const clients = await Promise.all(Array.from({ length: CLIENTS }, clientOnLoginPage));
    const statuses = await Promise.all(
      clients.map(async (client, c) => {
        const seen: number[] = [];
        for (let i = c; i < CEILING; i += CLIENTS) {
          seen.push((await client.post("/login", { login: logins[i]!, password: "Wrong-password-1" })).status);
        }
        return seen;
      }),
    );
    expect(statuses.flat()).toEqual(Array(CEILING).fill(401));

    const victim = await createUser(app.deps);
    const client = await clientOnLoginPage();
    const refused = await client.post("/login", { login: victim.username, password: victim.password });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("Too many sign-in attempts from your network. Try again later.");
    expect((await client.get("/settings/profile")).location).toMatch(/^\/login/);

    // The ceiling is the client's address as Express sees it (no trusted
    // proxy by default): a forged X-Forwarded-For does not get around it.
    const forged = await clientOnLoginPage();
    const spoofed = await forged.post("/login", { login: victim.username, password: victim.password }, { headers: { "x-forwarded-for": "198.51.100.23" } });
    expect(spoofed.status).toBe(429);
  });
});
