import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { ssoIdentities } from "../../src/modules/sso/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { accountByEmail, deliver, person, ssoSignIn, startAtApp, workspaceWithSso } from "./helpers.js";

// Every bad answer from (or pretending to be from) the identity provider:
// a clear page with a 4xx/5xx, no session, no account, nothing linked.
let app: TestApp;
let op: TestOidcProvider;

beforeAll(async () => {
  op = await startOidcProvider({ clients: [] });
  app = await startTestApp({ localhostOrigin: true, env: { PROVIDER_TIMEOUT_SECONDS: "1" } });
});
afterAll(async () => {
  await app?.close();
  await op?.stop();
});

async function newcomer() {
  const someone = person();
  op.setAccount(someone);
  return someone;
}

// Nothing happened: not signed in, no account for that email, no identity for that subject.
async function expectNothingLinked(client: HttpClient, slug: string, someone: { sub: string; email: string }) {
  const page = await client.get(`/w/${slug}`);
  expect(page.status).toBe(303);
  expect(page.location).toContain("/login");
  expect(await accountByEmail(app, someone.email)).toBeUndefined();
  expect(await app.deps.db.select().from(ssoIdentities).where(eq(ssoIdentities.subject, someone.sub))).toHaveLength(0);
}

describe("SSO callback checks", () => {
  it("refuses a tampered state", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = await newcomer();
    const client = new HttpClient(app.baseUrl);
    const callback = new URL(await op.authorize(await startAtApp(client, workspace.slug), someone.sub));
    callback.searchParams.set("state", "tampered-state-value");
    const response = await deliver(client, callback.href);
    expect(response.status).toBe(400);
    expect(response.text).toContain("This sign-in was not started in this browser, or it was already used.");
    await expectNothingLinked(client, workspace.slug, someone);
  });

  it("refuses a callback delivered to another browser: the state, nonce and PKCE verifier live in the starting session only", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = await newcomer();
    const victim = new HttpClient(app.baseUrl);
    const callback = await op.authorize(await startAtApp(new HttpClient(app.baseUrl), workspace.slug), someone.sub);
    const response = await deliver(victim, callback);
    expect(response.status).toBe(400);
    await expectNothingLinked(victim, workspace.slug, someone);
  });

  it("refuses an ID token whose nonce is wrong or missing", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    for (const change of [(params: URLSearchParams) => params.set("nonce", "someone-elses-nonce"), (params: URLSearchParams) => params.delete("nonce")]) {
      const someone = await newcomer();
      const client = new HttpClient(app.baseUrl);
      const url = new URL(await startAtApp(client, workspace.slug));
      change(url.searchParams);
      const response = await deliver(client, await op.authorize(url.href, someone.sub));
      expect(response.status).toBe(400);
      expect(response.text).toContain("does not belong to this sign-in attempt");
      await expectNothingLinked(client, workspace.slug, someone);
    }
  });

  it("sends PKCE S256 on every flow; a code redeemed without the session's verifier fails, and the provider refuses a flow without a challenge", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = await newcomer();
    const client = new HttpClient(app.baseUrl);
    const url = new URL(await startAtApp(client, workspace.slug));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);

    // A second flow in the same browser replaces the first: the first flow's
    // code, delivered with the second flow's state, meets the wrong verifier.
    const firstCallback = new URL(await op.authorize(url.href, someone.sub));
    const second = new URL(await startAtApp(client, workspace.slug));
    firstCallback.searchParams.set("state", second.searchParams.get("state")!);
    const response = await deliver(client, firstCallback.href);
    expect(response.status).toBe(400);
    expect(response.text).toContain("refused the sign-in code");
    await expectNothingLinked(client, workspace.slug, someone);

    const bare = new URL(await startAtApp(client, workspace.slug));
    bare.searchParams.delete("code_challenge");
    bare.searchParams.delete("code_challenge_method");
    const refused = new URL(await op.authorize(bare.href, someone.sub));
    expect(refused.searchParams.get("error")).toBe("invalid_request");
    expect((await deliver(client, refused.href)).status).toBe(400);
  });

  it("refuses issuer mix-ups: a foreign iss response parameter, an ID token for another issuer or another client", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = await newcomer();
    const client = new HttpClient(app.baseUrl);
    const callback = new URL(await op.authorize(await startAtApp(client, workspace.slug), someone.sub));
    callback.searchParams.set("iss", "https://attacker.example");
    const mixed = await deliver(client, callback.href);
    expect(mixed.status).toBe(400);
    expect(mixed.text).toContain("different identity provider");

    try {
      op.tamperIdTokens({ iss: "https://attacker.example" });
      const otherIssuer = await ssoSignIn(app, op, workspace.slug, someone.sub);
      expect(otherIssuer.response.status).toBe(400);
      expect(otherIssuer.response.text).toContain("different identity provider");
      op.tamperIdTokens({ aud: "some-other-client" });
      const otherAudience = await ssoSignIn(app, op, workspace.slug, someone.sub);
      expect(otherAudience.response.status).toBe(400);
      expect(otherAudience.response.text).toContain("for a different application");
      await expectNothingLinked(otherAudience.client, workspace.slug, someone);
    } finally {
      op.tamperIdTokens(null);
    }
  });

  it("refuses an expired or a reused authorization code", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = await newcomer();
    const client = new HttpClient(app.baseUrl);
    const late = await op.authorize(await startAtApp(client, workspace.slug), someone.sub);
    op.expireCodes();
    const expired = await deliver(client, late);
    expect(expired.status).toBe(400);
    expect(expired.text).toContain("refused the sign-in code");
    await expectNothingLinked(client, workspace.slug, someone);

    // Used once (signed in), then replayed in a fresh flow of the same browser.
    const first = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(first.response.status).toBe(303);
    const replay = new URL(first.callback);
    const fresh = new URL(await startAtApp(first.client, workspace.slug));
    replay.searchParams.set("state", fresh.searchParams.get("state")!);
    const reused = await deliver(first.client, replay.href);
    expect(reused.status).toBe(400);
    // The same callback again, as it was: its state is spent.
    expect((await deliver(first.client, first.callback)).status).toBe(400);
  });
});

describe("SSO account matching", () => {
  it("refuses an email that belongs to a local account: no silent merge, nothing linked", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const local = await createUser(app.deps, { email: `taken-${Date.now()}@corp.example` });
    const impostor = person({ email: local.email });
    op.setAccount(impostor);
    const { client, response } = await ssoSignIn(app, op, workspace.slug, impostor.sub);
    expect(response.status).toBe(403);
    expect(response.text).toContain("already belongs to an account here. Nothing was linked");
    expect(await app.deps.db.select().from(ssoIdentities).where(eq(ssoIdentities.subject, impostor.sub))).toHaveLength(0);
    expect(await app.deps.db.select().from(users).where(eq(users.email, local.email))).toHaveLength(1);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(303);
    const refused = await app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "sso.sign_in_refused"), eq(auditEvents.workspaceId, workspace.id)));
    expect(refused.map((event) => (event.details as { reason: string }).reason)).toEqual(["email_in_use"]);
  });

  it("refuses an email domain the workspace does not allow (look-alike domains included)", async () => {
    const { workspace } = await workspaceWithSso(app, op, { domains: ["corp.example"] });
    for (const email of [`x${Date.now()}@evilcorp.example`, `y${Date.now()}@corp.example.attacker.test`, `z${Date.now()}@sub.corp.example`]) {
      const outsider = person({ email });
      op.setAccount(outsider);
      const { client, response } = await ssoSignIn(app, op, workspace.slug, outsider.sub);
      expect(response.status).toBe(403);
      expect(response.text).toContain("not allowed to sign in to this workspace");
      await expectNothingLinked(client, workspace.slug, outsider);
    }
  });

  it("never matches a returning person by email: a new subject with a known SSO account's email is refused", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const original = await newcomer();
    await ssoSignIn(app, op, workspace.slug, original.sub);
    const account = (await accountByEmail(app, original.email))!;
    const sameEmail = person({ email: original.email });
    op.setAccount(sameEmail);
    const { client, response } = await ssoSignIn(app, op, workspace.slug, sameEmail.sub);
    expect(response.status).toBe(403);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(303);
    const identities = await app.deps.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, account.id));
    expect(identities.map((identity) => identity.subject)).toEqual([original.sub]);
  });
});

describe("SSO provider faults", () => {
  it("a provider that is down gets a clear 502 page, a slow one a 504 page; the app keeps serving", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const client = new HttpClient(app.baseUrl);
    await client.get(`/sso/${workspace.slug}`);
    await op.down();
    try {
      const down = await client.get(`/sso/${workspace.slug}/start`);
      expect(down.status).toBe(502);
      expect(down.text).toContain("The identity provider cannot be reached right now.");
    } finally {
      await op.up();
    }
    // Down between the redirect and the callback.
    const someone = await newcomer();
    const callback = await op.authorize(await startAtApp(client, workspace.slug), someone.sub);
    await op.down();
    try {
      const response = await deliver(client, callback);
      expect(response.status).toBe(502);
    } finally {
      await op.up();
    }
    op.slow(2500);
    try {
      const slow = await client.get(`/sso/${workspace.slug}/start`);
      expect(slow.status).toBe(504);
      expect(slow.text).toContain("did not answer in time");
    } finally {
      op.slow(0);
    }
    expect((await client.get("/login")).status).toBe(200);
    await expectNothingLinked(client, workspace.slug, someone);
  });
});
