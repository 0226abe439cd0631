import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedIdentities } from "../../src/modules/identities/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { addProvider, startAt } from "../helpers/identities.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";
import { codeForSecret } from "../helpers/totp.js";

// A generic OpenID provider (a real oidc-provider on loopback), found by
// discovery from its issuer URL.
let app: TestApp;
let op: TestOidcProvider;
let n = 0;

const account = () => {
  n++;
  const tag = `${n}${Math.random().toString(36).slice(2, 7)}`;
  const person = { sub: `sub-${tag}`, email: `person-${tag}@acme.example`, email_verified: true, name: `Person ${tag}`, amr: ["pwd", "mfa"], acr: "urn:acme:mfa" };
  op.setAccount(person);
  return person;
};

beforeAll(async () => {
  app = await startTestApp({ localhostOrigin: true });
  op = await startOidcProvider({ clients: [{ client_id: "latchkey", client_secret: "acme-client-secret", redirect_uris: [`${app.baseUrl}/auth/providers/acme/callback`] }] });
  const admin = await createUser(app.deps, { isInstanceAdmin: true });
  await addProvider(app.deps, admin, { kind: "oidc", slug: "acme", issuer: op.issuer, clientId: "latchkey", clientSecret: "acme-client-secret" });
});
afterAll(async () => {
  await app.close();
  await op.stop();
});

describe("a generic OIDC provider", () => {
  it("binds, signs in, and unbinds", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const person = account();
    const authorizeUrl = await startAt(client, "/settings/connections/acme/bind", "/settings/connections");
    expect(new URL(authorizeUrl).searchParams.get("nonce")).toBeTruthy();
    const bound = await client.get(await op.authorize(authorizeUrl, person.sub));
    expect(bound.status).toBe(303);
    const page = await client.get("/settings/connections");
    expect(page.text).toContain('data-testid="connection-status">Bound');
    expect(page.text).toContain(person.email);

    const visitor = new HttpClient(app.baseUrl);
    const signedIn = await visitor.get(await op.authorize(await startAt(visitor, "/login/providers/acme", "/login"), person.sub));
    expect(signedIn.status).toBe(303);
    expect((await visitor.get("/settings/profile")).text).toContain(user.username);

    await client.get("/settings/connections");
    expect((await client.post("/settings/connections/acme/unbind", { confirmed: "yes" })).status).toBe(303);
    expect(await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.userId, user.id))).toHaveLength(0);
  });

  it("still asks for the account's authenticator after a provider sign-in, whatever amr the provider claims", async () => {
    const user = await createUser(app.deps);
    const { secret } = await enableTotpFor(app.deps, user);
    const person = account();
    await app.deps.db.insert(linkedIdentities).values({ providerId: (await providerId()), userId: user.id, subject: person.sub, login: person.name, email: person.email });

    const visitor = new HttpClient(app.baseUrl);
    const back = await visitor.get(await op.authorize(await startAt(visitor, "/login/providers/acme", "/login"), person.sub));
    expect(back.status).toBe(303);
    expect(back.location).toBe("/login/verify");
    expect((await visitor.get("/settings/profile")).status).toBe(303);
    await visitor.get("/login/verify");
    const verified = await visitor.post("/login/verify", { code: codeForSecret(secret, app.deps.clock.now().getTime(), 1) });
    expect(verified.status).toBe(303);
    expect((await visitor.get("/settings/profile")).text).toContain(user.username);
  });

  it("creates an account for a new person and the owner can set a first password through Forgot password", async () => {
    const person = account();
    const visitor = new HttpClient(app.baseUrl);
    expect((await visitor.get(await op.authorize(await startAt(visitor, "/login/providers/acme", "/login"), person.sub))).status).toBe(303);
    const [created] = await app.deps.db.select().from(users).where(eq(users.email, person.email));
    expect(created).toMatchObject({ passwordHash: null, signedUpWithProvider: true });

    const stranger = new HttpClient(app.baseUrl);
    await stranger.submit("/forgot-password", "/forgot-password", { login: person.email });
    const mail = await app.mail.waitFor(person.email, /reset/i);
    const link = /\/reset-password\/[\w-]+/.exec(mail.text)![0];
    const form = await stranger.get(link);
    expect(form.status).toBe(200);
    const newPassword = "Brand-New-Passw0rd!";
    const reset = await stranger.post(link, { newPassword, confirmPassword: newPassword });
    expect(reset.status).toBe(303);
    const signedIn = await signedInClient(app.baseUrl, { username: created!.username, password: newPassword });
    expect((await signedIn.get("/settings/profile")).text).toContain(created!.username);
  });
});

async function providerId(): Promise<string> {
  const { identityProviders } = await import("../../src/modules/identities/tables.js");
  const [row] = await app.deps.db.select().from(identityProviders).where(eq(identityProviders.slug, "acme"));
  return row!.id;
}
