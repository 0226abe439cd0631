import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedIdentities } from "../../src/modules/identities/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { addProvider, startAt } from "../helpers/identities.js";
import { startOAuthStandIn, type OAuthStandIn } from "../helpers/oauth-stand-ins.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
let github: OAuthStandIn;
let n = 0;
const githubUser = () => {
  n++;
  return { id: String(1000 + n + Math.floor(Math.random() * 1e6)), login: `octo${n}-${Math.random().toString(36).slice(2, 6)}`, email: `octo${n}-${Math.random().toString(36).slice(2, 8)}@github.example` };
};

beforeAll(async () => {
  github = await startOAuthStandIn("github");
  app = await startTestApp({ localhostOrigin: true, env: github.env() });
  const admin = await createUser(app.deps, { isInstanceAdmin: true });
  await addProvider(app.deps, admin, { kind: "github", clientId: github.clientId, clientSecret: github.clientSecret });
});
afterAll(async () => {
  await app.close();
  await github.close();
});

async function bindGithub(client: HttpClient, person: ReturnType<typeof githubUser>) {
  github.signInAs(person);
  const authorizeUrl = await startAt(client, "/settings/connections/github/bind", "/settings/connections");
  const callback = await github.approve(authorizeUrl);
  return client.get(callback);
}

describe("GitHub", () => {
  it("binds through GitHub's authorize page and shows the account as bound", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const person = githubUser();
    github.signInAs(person);
    const authorizeUrl = await startAt(client, "/settings/connections/github/bind", "/settings/connections");
    const params = new URL(authorizeUrl).searchParams;
    expect(authorizeUrl.startsWith(`${github.url}/login/oauth/authorize?`)).toBe(true);
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("state")).toBeTruthy();
    expect(params.get("redirect_uri")).toBe(`${app.baseUrl}/auth/providers/github/callback`);
    const back = await client.get(await github.approve(authorizeUrl));
    expect(back.status).toBe(303);
    expect(back.location).toBe("/settings/connections");
    const page = await client.get("/settings/connections");
    expect(page.text).toContain('data-testid="connection-status">Bound');
    expect(page.text).toContain(person.login);
    expect(page.text).toContain(person.email);
    const rows = await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.userId, user.id));
    expect(rows).toMatchObject([{ subject: person.id, login: person.login }]);
    await app.mail.waitFor(user.email, /GitHub account was bound/, { text: /octo[\s\S]*When: [\s\S]*Device: [\s\S]*Not you\?/ });
  });

  it("signs in with a bound GitHub account, and unbinding stops that", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const person = githubUser();
    expect((await bindGithub(client, person)).status).toBe(303);

    const visitor = new HttpClient(app.baseUrl);
    const login = await visitor.get("/login");
    expect(login.text).toContain("Continue with GitHub");
    const callback = await github.approve(await startAt(visitor, "/login/providers/github", "/login"));
    const signedIn = await visitor.get(callback);
    expect(signedIn.status).toBe(303);
    expect((await visitor.get("/settings/profile")).text).toContain(user.username);

    await client.get("/settings/connections");
    const unbound = await client.post("/settings/connections/github/unbind", { confirmed: "yes" });
    expect(unbound.status).toBe(303);
    expect((await client.get("/settings/connections")).text).toContain('data-testid="connection-status">Not bound');
    await app.mail.waitFor(user.email, /GitHub account was unbound/);

    // The same GitHub account now names no account: a sign-in would create
    // one, but its email... is new, so it does; not this user's.
    const again = new HttpClient(app.baseUrl);
    const second = await again.get(await github.approve(await startAt(again, "/login/providers/github", "/login")));
    expect(second.status).toBe(303);
    expect((await again.get("/settings/profile")).text).not.toContain(user.username);
  });

  it("creates an account without a password for an unknown GitHub account", async () => {
    const person = githubUser();
    github.signInAs(person);
    const visitor = new HttpClient(app.baseUrl);
    const back = await visitor.get(await github.approve(await startAt(visitor, "/login/providers/github", "/login")));
    expect(back.status).toBe(303);
    const [created] = await app.deps.db.select().from(users).where(eq(users.email, person.email));
    expect(created).toMatchObject({ username: person.login, passwordHash: null, signedUpWithProvider: true });
    expect(created!.emailVerifiedAt).not.toBeNull();
    await app.mail.waitFor(person.email, /Welcome to Latchkey/);
  });

  it("refuses an email that a local account already uses: nothing is created or linked", async () => {
    const local = await createUser(app.deps);
    const person = { ...githubUser(), email: local.email };
    github.signInAs(person);
    const visitor = new HttpClient(app.baseUrl);
    const back = await visitor.get(await github.approve(await startAt(visitor, "/login/providers/github", "/login")));
    expect(back.status).toBe(409);
    expect(back.text).toContain("already exists");
    expect(await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.subject, person.id))).toHaveLength(0);
    expect((await visitor.get("/settings/profile")).status).toBe(303);
  });

  it("refuses to bind a GitHub account bound to another account", async () => {
    const person = githubUser();
    const first = await createUser(app.deps);
    expect((await bindGithub(await signedInClient(app.baseUrl, first), person)).status).toBe(303);
    const second = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, second);
    const refused = await bindGithub(client, person);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("already bound to another Latchkey account");
    const rows = await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.subject, person.id));
    expect(rows.map((row) => row.userId)).toEqual([first.id]);
  });
});
