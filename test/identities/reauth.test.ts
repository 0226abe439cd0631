import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { createUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { addProvider, providerUrlIn, startAt } from "../helpers/identities.js";
import { startOAuthStandIn, type OAuthStandIn } from "../helpers/oauth-stand-ins.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// An account created through GitHub has no password: after the fresh-sign-in
// window it confirms it is you with the GitHub account it has bound.
const clock = manualClock(new Date());
let app: TestApp;
let github: OAuthStandIn;

beforeAll(async () => {
  github = await startOAuthStandIn("github");
  app = await startTestApp({ localhostOrigin: true, clock, env: github.env() });
  const admin = await createUser(app.deps, { isInstanceAdmin: true });
  await addProvider(app.deps, admin, { kind: "github", clientId: github.clientId, clientSecret: github.clientSecret });
});
afterAll(async () => {
  await app.close();
  await github.close();
});

async function githubAccount(tag: string) {
  const person = { id: String(5_000_000 + Math.floor(Math.random() * 1e6)), login: `reauth-${tag}`, email: `reauth-${tag}-${Math.random().toString(36).slice(2, 6)}@github.example` };
  github.signInAs(person);
  const client = new HttpClient(app.baseUrl);
  expect((await client.get(await github.approve(await startAt(client, "/login/providers/github", "/login")))).status).toBe(303);
  return { person, client };
}

describe("step-up with a bound identity", () => {
  it("offers Confirm with GitHub on /reauth and makes the session fresh again", async () => {
    const { person, client } = await githubAccount("ok");
    clock.advance(16 * 60_000);
    await client.get("/settings/connections");
    const stale = await client.post("/settings/connections/github/unbind", { confirmed: "yes" });
    expect(stale.location).toMatch(/^\/reauth\?return_to=/);
    const reauth = await client.get(stale.location!);
    expect(reauth.text).toContain("Confirm with GitHub");
    expect(reauth.text).not.toContain("no way to confirm");

    github.signInAs(person);
    const started = await client.post("/reauth/providers/github", { return_to: "/settings/connections" });
    expect(started.status).toBe(200);
    const back = await client.get(await github.approve(providerUrlIn(started.text)));
    expect(back.status).toBe(303);
    expect(back.location).toBe("/settings/connections");
    // Fresh now: the unbind reaches its rule (the only way in stays).
    await client.get("/settings/connections");
    const refused = await client.post("/settings/connections/github/unbind", { confirmed: "yes" });
    expect(refused.status).toBe(409);
    const events = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.reauthenticated"));
    expect(events.some((event) => (event.details as { method?: string }).method === "linked-account")).toBe(true);
  });

  it("refuses another GitHub account than the bound one", async () => {
    const { client } = await githubAccount("mine");
    clock.advance(16 * 60_000);
    await client.get("/reauth?return_to=/settings/connections");
    github.signInAs({ id: "999999001", login: "someone-else", email: "someone-else@github.example" });
    const started = await client.post("/reauth/providers/github", { return_to: "/settings/connections" });
    const refused = await client.get(await github.approve(providerUrlIn(started.text)));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("not the GitHub account bound to your account");
    await client.get("/settings/connections");
    expect((await client.post("/settings/connections/github/unbind", { confirmed: "yes" })).location).toMatch(/^\/reauth/);
  });
});
