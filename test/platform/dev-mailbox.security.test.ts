import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// SECURITY.md, reliability: "Development-only pages (the mailbox) are for
// instance administrators only." The mailbox shows every user's reset links
// and codes, so anyone else who could read it could take over any account.
let development: TestApp;
let production: TestApp;

beforeAll(async () => {
  // Both without SMTP_URL: mail goes to the file outbox, which is what the mailbox shows.
  [development, production] = await Promise.all([
    startTestApp({ env: { NODE_ENV: "development" } }),
    startTestApp({ env: { NODE_ENV: "production" } }),
  ]);
});
afterAll(() => Promise.all([development.close(), production.close()]));

// A user with a reset link waiting in the outbox: what an intruder would want.
async function victimWithResetLink(app: TestApp) {
  const victim = await createUser(app.deps);
  const client = new HttpClient(app.baseUrl);
  expect((await client.submit("/forgot-password", "/forgot-password", { login: victim.username })).status).toBe(200);
  await app.mail.waitFor(victim.email, /Reset your Latchkey password/);
  return victim;
}

function expectNothingShown(response: { status: number; text: string }, victim: { email: string }) {
  expect([403, 404]).toContain(response.status);
  expect(response.text).not.toContain("/reset-password/");
  expect(response.text).not.toContain(victim.email);
  expect(response.text).not.toContain("Development mailbox");
}

describe("the development mailbox (development mode, file outbox)", () => {
  it("is refused to a visitor who is not signed in", async () => {
    const victim = await victimWithResetLink(development);
    expectNothingShown(await new HttpClient(development.baseUrl).get("/dev/mailbox"), victim);
  });

  it("is refused to a signed-in user who is not an instance administrator", async () => {
    const victim = await victimWithResetLink(development);
    const client = await signedInClient(development.baseUrl, await createUser(development.deps));
    expectNothingShown(await client.get("/dev/mailbox"), victim);
  });

  it("shows an instance administrator every message", async () => {
    const victim = await victimWithResetLink(development);
    const client = await signedInClient(development.baseUrl, await createUser(development.deps, { isInstanceAdmin: true }));
    const page = await client.get("/dev/mailbox");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Development mailbox");
    expect(page.text).toContain(victim.email);
    expect(page.text).toContain("/reset-password/");
  });
});

describe("in production", () => {
  it("does not exist, even for an instance administrator", async () => {
    const victim = await victimWithResetLink(production);
    const admin = await signedInClient(production.baseUrl, await createUser(production.deps, { isInstanceAdmin: true }));
    for (const client of [new HttpClient(production.baseUrl), admin]) {
      const response = await client.get("/dev/mailbox");
      expect(response.status).toBe(404);
      expect(response.text).not.toContain("/reset-password/");
      expect(response.text).not.toContain(victim.email);
    }
  });
});
