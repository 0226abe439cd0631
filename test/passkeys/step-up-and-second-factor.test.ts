import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspaces } from "../../src/modules/workspaces/index.js";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { softwareAuthenticator } from "../helpers/software-authenticator.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

// A passkey through the sign-in pipeline's other doors: step-up on /reauth,
// the second step after a password, and the workspace 2FA rule.
const clock = manualClock(new Date());
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ localhostOrigin: true, clock });
});
afterAll(() => app.close());

const unescapeHtml = (text: string) => text.replace(/&#34;/g, '"').replace(/&amp;/g, "&");

async function withPasskey() {
  const user = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, user);
  const authenticator = softwareAuthenticator({ id: "localhost", origin: new URL(app.baseUrl).origin });
  const client = await signedInClient(app.baseUrl, user);
  await client.get("/settings/security");
  const page = await client.post("/settings/security/passkeys/new", { name: "Laptop" });
  const options = JSON.parse(unescapeHtml(/data-options="([^"]+)"/.exec(page.text)![1]!));
  expect((await client.post("/settings/security/passkeys", { credential: JSON.stringify(authenticator.register(options)) })).status).toBe(303);
  return { user, workspace, authenticator, client };
}

async function options(client: HttpClient, purpose: string) {
  const response = await client.request("POST", `/passkeys/options/${purpose}`, { headers: { "x-csrf-token": client.csrfToken! } });
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as { challenge: string; allowCredentials: Array<{ id: string }> };
}

describe("a passkey", () => {
  it("confirms identity on /reauth when the sign-in is old, then the change goes through", async () => {
    const { authenticator, client } = await withPasskey();
    clock.advance(16 * 60_000);
    const stale = await client.post("/settings/security/passkeys/new", { name: "Phone" });
    expect(stale.location).toMatch(/^\/reauth\?return_to=/);
    const reauth = await client.get(stale.location!);
    expect(reauth.text).toContain("/passkeys/options/reauth");
    const answer = authenticator.authenticate(await options(client, "reauth"));
    const confirmed = await client.post("/reauth", { method: "passkey", credential: JSON.stringify(answer), return_to: "/settings/security" });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe("/settings/security");
    await client.get("/settings/security");
    expect((await client.post("/settings/security/passkeys/new", { name: "Phone" })).status).toBe(200);
  });

  it("stands in for the authenticator at the second step, and only the account's own passkeys are offered", async () => {
    const { user, authenticator } = await withPasskey();
    await enableTotpFor(app.deps, user);
    const client = new HttpClient(app.baseUrl);
    expect((await client.submit("/login", "/login", { login: user.username, password: user.password })).location).toBe("/login/verify");
    const verify = await client.get("/login/verify");
    expect(verify.text).toContain("/passkeys/options/second-factor");
    const offered = await options(client, "second-factor");
    expect(offered.allowCredentials.map((credential) => credential.id)).toEqual([authenticator.credentialId]);
    const done = await client.post("/login/verify", { method: "passkey", credential: JSON.stringify(authenticator.authenticate(offered)) });
    expect(done.status).toBe(303);
    expect((await client.get("/settings/profile")).status).toBe(200);
  });

  it("signs into a workspace that requires 2FA without an authenticator: a passkey sign-in is multi-factor", async () => {
    const { user, workspace, authenticator } = await withPasskey();
    await app.deps.db.update(workspaces).set({ requireTwoFactor: true }).where(eq(workspaces.id, workspace.id));
    const passwordOnly = await signedInClient(app.baseUrl, user);
    expect((await passwordOnly.get(`/w/${workspace.slug}`)).location).toBe("/settings/security/two-factor/setup");
    const client = new HttpClient(app.baseUrl);
    await client.get("/login");
    const answer = authenticator.authenticate(await options(client, "sign-in"));
    expect((await client.post("/login/passkey", { credential: JSON.stringify(answer) })).status).toBe(303);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
  });
});

