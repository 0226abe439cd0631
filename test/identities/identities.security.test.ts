import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedIdentities } from "../../src/modules/identities/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { addProvider, startAt } from "../helpers/identities.js";
import { startOAuthStandIn, type OAuthStandIn } from "../helpers/oauth-stand-ins.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// What an attacker (or a broken provider) would try against binding and
// signing in with a provider. Each answer is a clear page, and nothing is
// linked or created.
let app: TestApp;
let op: TestOidcProvider;
let github: OAuthStandIn;
let n = 0;

const person = () => {
  n++;
  const tag = `${n}${Math.random().toString(36).slice(2, 7)}`;
  const account = { sub: `sub-${tag}`, email: `p-${tag}@acme.example`, email_verified: true, name: `P ${tag}` };
  op.setAccount(account);
  return account;
};

beforeAll(async () => {
  github = await startOAuthStandIn("github");
  // A one-second limit for provider requests: the slow provider below is
  // given up on instead of holding the page.
  app = await startTestApp({ localhostOrigin: true, env: { ...github.env(), PROVIDER_TIMEOUT_SECONDS: "1" } });
  op = await startOidcProvider({ clients: [{ client_id: "latchkey", client_secret: "acme-client-secret", redirect_uris: [`${app.baseUrl}/auth/providers/acme/callback`] }] });
  const admin = await createUser(app.deps, { isInstanceAdmin: true });
  await addProvider(app.deps, admin, { kind: "oidc", slug: "acme", issuer: op.issuer, clientId: "latchkey", clientSecret: "acme-client-secret" });
  await addProvider(app.deps, admin, { kind: "github", clientId: github.clientId, clientSecret: github.clientSecret });
});
afterAll(async () => {
  await app.close();
  await op.stop();
  await github.close();
});

async function boundRows(userId: string) {
  return app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.userId, userId));
}

async function binder() {
  const user = await createUser(app.deps);
  const client = await signedInClient(app.baseUrl, user);
  return { user, client, start: () => startAt(client, "/settings/connections/acme/bind", "/settings/connections") };
}

function expectRefusal(response: { status: number; text: string }, status: number, message: RegExp) {
  expect(response.status).toBe(status);
  expect(response.text).toContain('data-testid="provider-failure"');
  expect(response.text).toMatch(message);
}

describe("binding and signing in with a provider", () => {
  it("refuses a tampered state", async () => {
    const { user, client, start } = await binder();
    const callback = new URL(await op.authorize(await start(), person().sub));
    callback.searchParams.set("state", "forged-state");
    expectRefusal(await client.get(callback.href), 400, /not started in this browser|already been used/);
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("refuses a callback in a browser that did not start the flow (login CSRF), and the same callback twice", async () => {
    const { user, client, start } = await binder();
    const callback = await op.authorize(await start(), person().sub);
    const victim = new HttpClient(app.baseUrl);
    expectRefusal(await victim.get(callback), 400, /expired or was already used/);
    expect((await victim.get("/settings/profile")).status).toBe(303);
    expect((await client.get(callback)).status).toBe(303);
    expectRefusal(await client.get(callback), 400, /expired or was already used/);
    expect(await boundRows(user.id)).toHaveLength(1);
  });

  it("refuses an ID token whose nonce is not this session's", async () => {
    const { user, client, start } = await binder();
    const altered = new URL(await start());
    altered.searchParams.set("nonce", "attacker-nonce");
    expectRefusal(await client.get(await op.authorize(altered.href, person().sub)), 400, /does not belong to this sign-in attempt/);
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("refuses a code bound to another PKCE challenge (OIDC and GitHub)", async () => {
    const { user, client, start } = await binder();
    const altered = new URL(await start());
    altered.searchParams.set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    expectRefusal(await client.get(await op.authorize(altered.href, person().sub)), 400, /refused the sign-in code/);

    github.signInAs({ id: "777001", login: "pkce-victim", email: "pkce@github.example" });
    const githubUrl = new URL(await startAt(client, "/settings/connections/github/bind", "/settings/connections"));
    githubUrl.searchParams.set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    expectRefusal(await client.get(await github.approve(githubUrl.href)), 400, /refused the sign-in code/);
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("refuses issuer mix-ups: a foreign iss, an ID token for another issuer or audience, a flow of one provider answered at another", async () => {
    const { user, client, start } = await binder();
    const foreignIss = new URL(await op.authorize(await start(), person().sub));
    foreignIss.searchParams.set("iss", "https://evil.example");
    expectRefusal(await client.get(foreignIss.href), 400, /different identity provider/);

    try {
      op.tamperIdTokens({ iss: "https://evil.example" });
      expectRefusal(await client.get(await op.authorize(await start(), person().sub)), 400, /different identity provider/);
      op.tamperIdTokens({ aud: "another-client" });
      expectRefusal(await client.get(await op.authorize(await start(), person().sub)), 400, /for a different application/);
    } finally {
      op.tamperIdTokens(null);
    }

    // A GitHub flow, answered at the OIDC provider's callback: the code is
    // never sent anywhere.
    github.signInAs({ id: "777002", login: "mixup", email: "mixup@github.example" });
    const githubCallback = new URL(await github.approve(await startAt(client, "/settings/connections/github/bind", "/settings/connections")));
    const misrouted = new URL(`${app.baseUrl}/auth/providers/acme/callback${githubCallback.search}`);
    expectRefusal(await client.get(misrouted.href), 400, /different provider than the one this sign-in was started with/);
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("refuses an expired code and a code used before", async () => {
    const { user, client, start } = await binder();
    const late = await op.authorize(await start(), person().sub);
    op.expireCodes();
    expectRefusal(await client.get(late), 400, /refused the sign-in code/);

    // A code that was already exchanged, presented again with a fresh flow's state.
    github.signInAs({ id: "777003", login: "reuse", email: "reuse@github.example" });
    const first = new URL(await github.approve(await startAt(client, "/settings/connections/github/bind", "/settings/connections")));
    expect((await client.get(first.href)).status).toBe(303);
    await client.get("/settings/connections");
    expect((await client.post("/settings/connections/github/unbind", { confirmed: "yes" })).status).toBe(303);
    const fresh = new URL(await startAt(client, "/settings/connections/github/bind", "/settings/connections"));
    const replay = new URL(first.href);
    replay.searchParams.set("state", fresh.searchParams.get("state")!);
    // GitHub answers 200 with "bad_verification_code": still a refused code.
    expectRefusal(await client.get(replay.href), 400, /refused the sign-in code/);
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("shows a clear page when the provider is down or too slow, and links nothing", async () => {
    const { user, client, start } = await binder();
    const callback = await op.authorize(await start(), person().sub);
    await op.down();
    try {
      expectRefusal(await client.get(callback), 502, /cannot be reached right now/);
    } finally {
      await op.up();
    }
    // Down before the flow starts (discovery): the same clear page.
    await op.down();
    try {
      await client.get("/settings/connections");
      expectRefusal(await client.post("/settings/connections/acme/bind", {}), 502, /cannot be reached right now/);
    } finally {
      await op.up();
    }
    const slowCallback = await op.authorize(await start(), person().sub);
    op.slow(2500);
    try {
      expectRefusal(await client.get(slowCallback), 504, /did not answer in time/);
    } finally {
      op.slow(0);
    }
    // GitHub's token endpoint failing (503) or never answering.
    github.signInAs({ id: "777004", login: "outage", email: "outage@github.example" });
    for (const [mode, status, message] of [["down", 502, /cannot be used|cannot be reached/], ["slow", 504, /did not answer in time/]] as const) {
      const githubCallback = await github.approve(await startAt(client, "/settings/connections/github/bind", "/settings/connections"));
      github.setMode(mode);
      try {
        expectRefusal(await client.get(githubCallback), status, message);
      } finally {
        github.setMode("normal");
      }
    }
    expect(await boundRows(user.id)).toHaveLength(0);
  });

  it("never merges by email: a provider account with a local account's email (any case) is refused and nothing is linked", async () => {
    const local = await createUser(app.deps);
    const account = { sub: `collide-${local.id}`, email: local.email.toUpperCase(), email_verified: true, name: "Collider" };
    op.setAccount(account);
    const visitor = new HttpClient(app.baseUrl);
    const answer = await visitor.get(await op.authorize(await startAt(visitor, "/login/providers/acme", "/login"), account.sub));
    expectRefusal(answer, 409, /already exists/);
    expect(await boundRows(local.id)).toHaveLength(0);
    expect(await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.subject, account.sub))).toHaveLength(0);
    expect((await visitor.get("/settings/profile")).status).toBe(303);
  });

  it("does not create an account from an unverified email", async () => {
    const account = { sub: `unverified-${n++}`, email: `unverified-${n}@acme.example`, email_verified: false, name: "U" };
    op.setAccount(account);
    const visitor = new HttpClient(app.baseUrl);
    expectRefusal(await visitor.get(await op.authorize(await startAt(visitor, "/login/providers/acme", "/login"), account.sub)), 403, /verified email address/);
    expect(await app.deps.db.select().from(users).where(eq(users.email, account.email))).toHaveLength(0);
  });
});
