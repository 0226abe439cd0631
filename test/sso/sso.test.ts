import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { ssoConfigs } from "../../src/modules/sso/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { memberships, workspaces } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { accountByEmail, CLIENT_SECRET, identitiesOf, person, registerClient, ssoSignIn, workspaceWithSso } from "./helpers.js";

const MINUTE = 60_000;
const clock = manualClock(new Date());
let app: TestApp;
let op: TestOidcProvider;

beforeAll(async () => {
  op = await startOidcProvider({ clients: [] });
  app = await startTestApp({ clock, localhostOrigin: true, env: { PROVIDER_TIMEOUT_SECONDS: "1" } });
});
afterAll(async () => {
  await app?.close();
  await op?.stop();
});

async function eventsOf(type: string, workspaceId: string) {
  return app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, type), eq(auditEvents.workspaceId, workspaceId)));
}

describe("SSO settings (/w/:slug/settings/sso)", () => {
  it("an owner configures SSO: the secret is stored sealed, never shown back, an empty field keeps it; the change is recorded", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const client = await signedInClient(app.baseUrl, owner);
    const settings = await client.get(`/w/${workspace.slug}/settings`);
    expect(settings.text).toContain(`href="/w/${workspace.slug}/settings/sso"`);
    const page = await client.get(`/w/${workspace.slug}/settings/sso`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${app.deps.config.baseUrl}/sso/${workspace.slug}/callback`);

    const fields = { issuer: op.issuer, clientId: "configured-client", allowedDomains: "Corp.Example, @corp.example.org", defaultRole: "admin", requireSso: "on" };
    const saved = await client.post(`/w/${workspace.slug}/settings/sso`, { ...fields, clientSecret: CLIENT_SECRET });
    expect(saved.status).toBe(303);
    const [config] = await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id));
    expect(config).toMatchObject({ issuer: op.issuer, clientId: "configured-client", allowedDomains: ["corp.example", "corp.example.org"], defaultRole: "admin", trustProviderMfa: false });
    expect(config!.clientSecretSealed).not.toContain(CLIENT_SECRET);
    const [row] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, workspace.id));
    expect(row!.requireSso).toBe(true);

    const shown = await client.get(`/w/${workspace.slug}/settings/sso`);
    expect(shown.text).not.toContain(CLIENT_SECRET);
    await client.post(`/w/${workspace.slug}/settings/sso`, { ...fields, clientSecret: "" });
    const [kept] = await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id));
    expect(kept!.clientSecretSealed).toBe(config!.clientSecretSealed);

    const events = await eventsOf("sso.config_changed", workspace.id);
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(CLIENT_SECRET);
    expect(events.map((event) => (event.details as { secretChanged: boolean }).secretChanged).sort()).toEqual([false, true]);

    // The configured client signs people in.
    registerClient(app, op, workspace, "configured-client");
    const someone = person();
    op.setAccount(someone);
    const { response } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(response.status).toBe(303);
    const created = await accountByEmail(app, someone.email);
    const [membership] = await app.deps.db.select().from(memberships).where(eq(memberships.userId, created!.id));
    expect(membership!.role).toBe("admin");
  });

  it("refuses bad input with messages next to the fields and stores nothing; the first save needs a secret", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const client = await signedInClient(app.baseUrl, owner);
    await client.get(`/w/${workspace.slug}/settings/sso`);
    const bad = await client.post(`/w/${workspace.slug}/settings/sso`, { issuer: "not a url", clientId: "x", clientSecret: "s", allowedDomains: "no domain here!", defaultRole: "owner" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Enter the issuer as an https:// URL");
    expect(bad.text).toContain("Enter domain names like corp.example");
    const noSecret = await client.post(`/w/${workspace.slug}/settings/sso`, { issuer: op.issuer, clientId: "x", clientSecret: "", allowedDomains: "corp.example", defaultRole: "member" });
    expect(noSecret.status).toBe(422);
    expect(noSecret.text).toContain("Enter the client secret.");
    expect(await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id))).toHaveLength(0);
  });

  it("is for owners and administrators only, and changes need a fresh sign-in", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, member, "member");
    const memberClient = await signedInClient(app.baseUrl, member);
    expect((await memberClient.get(`/w/${workspace.slug}/settings/sso`)).status).toBe(403);
    expect((await memberClient.post(`/w/${workspace.slug}/settings/sso/test`, { issuer: op.issuer })).status).toBe(403);

    const admin = await createUser(app.deps);
    await addMember(app.deps, workspace, admin, "admin");
    const adminClient = await signedInClient(app.baseUrl, admin);
    expect((await adminClient.get(`/w/${workspace.slug}/settings/sso`)).status).toBe(200);
    clock.advance(16 * MINUTE);
    const stale = await adminClient.post(`/w/${workspace.slug}/settings/sso`, { issuer: op.issuer, clientId: "c", allowedDomains: "corp.example", defaultRole: "member" });
    expect(stale.status).toBe(303);
    expect(stale.location).toMatch(/^\/reauth\?return_to=/);
  });

  it("test connection runs discovery and reports success or exactly what failed, changing nothing", async () => {
    const { owner, workspace } = await workspaceWithSso(app, op);
    const client = await signedInClient(app.baseUrl, owner);
    await client.get(`/w/${workspace.slug}/settings/sso`);
    const ok = await client.post(`/w/${workspace.slug}/settings/sso/test`, { issuer: op.issuer });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('data-ok="yes"');
    expect(ok.text).toContain(`${op.issuer}/auth`);

    await op.down();
    try {
      const down = await client.post(`/w/${workspace.slug}/settings/sso/test`, { issuer: op.issuer });
      expect(down.status).toBe(200);
      expect(down.text).toContain('data-ok="no"');
      expect(down.text).toContain("The identity provider cannot be reached right now.");
    } finally {
      await op.up();
    }
    const insecure = await client.post(`/w/${workspace.slug}/settings/sso/test`, { issuer: "http://idp.example.com" });
    expect(insecure.text).toContain("The identity provider must use HTTPS.");
    const notOidc = await client.post(`/w/${workspace.slug}/settings/sso/test`, { issuer: `${app.baseUrl}/nothing-here` });
    expect(notOidc.text).toContain("discovery document is missing or invalid");
  });
});

describe("SSO sign-in", () => {
  it("provisions a new person just in time: an SSO account bound to the workspace, no password, the default role, a free username", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const taken = await createUser(app.deps, { username: "jordan" });
    const someone = person({ sub: "jordan-sub-1", email: "Jordan@corp.example" });
    op.setAccount(someone);
    const { client, response } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/w/${workspace.slug}`);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);

    const user = (await accountByEmail(app, "Jordan@corp.example"))!;
    expect(user).toMatchObject({ ssoWorkspaceId: workspace.id, passwordHash: null, signedUpWithProvider: false });
    expect(user.username.toLowerCase()).not.toBe(taken.username.toLowerCase());
    expect(user.username).toBe("Jordan-2");
    const [membership] = await app.deps.db.select().from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.workspaceId, workspace.id)));
    expect(membership!.role).toBe("member");
    expect(await identitiesOf(app, user.id)).toMatchObject([{ issuer: op.issuer, subject: "jordan-sub-1", workspaceId: workspace.id }]);
    expect(await eventsOf("sso.account_provisioned", workspace.id)).toHaveLength(1);
    expect(await eventsOf("sso.signed_in", workspace.id)).toHaveLength(1);
  });

  it("finds a returning person by issuer and subject, even after their email changed at the provider", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = person();
    op.setAccount(someone);
    await ssoSignIn(app, op, workspace.slug, someone.sub);
    const first = (await accountByEmail(app, someone.email))!;

    op.setAccount({ ...someone, email: `renamed-${someone.sub}@corp.example` });
    const again = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(again.response.status).toBe(303);
    expect(await accountByEmail(app, `renamed-${someone.sub}@corp.example`)).toBeUndefined();
    const identities = await identitiesOf(app, first.id);
    expect(identities).toHaveLength(1);
    expect(identities[0]!.email).toBe(`renamed-${someone.sub}@corp.example`);
    expect(await eventsOf("sso.signed_in", workspace.id)).toHaveLength(2);
  });

  it("offers 'Sign in with SSO' by email domain on the sign-in page", async () => {
    const domain = `d${Date.now().toString(36)}.example`;
    const { workspace } = await workspaceWithSso(app, op, { domains: [domain] });
    const client = new HttpClient(app.baseUrl);
    const login = await client.get("/login");
    expect(login.text).toContain('action="/login/sso"');
    const found = await client.post("/login/sso", { email: `someone@${domain}` });
    expect(found.status).toBe(303);
    expect(found.location).toBe(`/sso/${workspace.slug}`);
    const leave = await client.get(`/sso/${workspace.slug}/start`);
    expect(leave.location!.startsWith(`${op.issuer}/auth?`)).toBe(true);
    const someone = person({ email: `someone@${domain}` });
    op.setAccount(someone);
    const callback = await op.authorize(leave.location!, someone.sub);
    expect(new URL(callback).pathname).toBe(`/sso/${workspace.slug}/callback`);

    const unknown = await client.post("/login/sso", { email: "someone@nowhere.example" });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain("No workspace uses single sign-on for that email domain.");
  });

  it("a provider's multi-factor claim stands in for the account's second factor only when the workspace trusts it", async () => {
    for (const trusted of [false, true]) {
      const { workspace } = await workspaceWithSso(app, op, { trustProviderMfa: trusted });
      const someone = person({ amr: ["pwd", "otp"] });
      op.setAccount(someone);
      await ssoSignIn(app, op, workspace.slug, someone.sub);
      const user = (await accountByEmail(app, someone.email))!;
      // The SSO account turned on Latchkey's own authenticator app.
      await app.deps.db.update(users).set({ totpEnabledAt: new Date(), totpSecretEncrypted: "sealed-secret-for-the-test" }).where(eq(users.id, user.id));

      const again = await ssoSignIn(app, op, workspace.slug, someone.sub);
      expect(again.response.status).toBe(303);
      expect(again.response.location).toBe(trusted ? `/w/${workspace.slug}` : "/login/verify");
      const last = (await eventsOf("sso.signed_in", workspace.id)).map((event) => (event.details as { providerMfa: boolean }).providerMfa);
      expect(last.at(-1)).toBe(trusted);

      // A provider that does not claim multi-factor never skips the second step.
      op.setAccount({ ...someone, amr: ["pwd"] });
      const single = await ssoSignIn(app, op, workspace.slug, someone.sub);
      expect(single.response.location).toBe("/login/verify");
    }
  });
});

describe("SSO accounts", () => {
  it("have no password: changing one, a reset link, the admin's set-password and password sign-in are refused; cancellation is not offered", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = person();
    op.setAccount(someone);
    const { client } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    const user = (await accountByEmail(app, someone.email))!;

    await client.get("/settings/security");
    const change = await client.post("/settings/security/password", { currentPassword: "anything-at-all", newPassword: "A-new-Passw0rd!x", confirmPassword: "A-new-Passw0rd!x" });
    expect(change.status).toBe(403);
    expect((await reloadUser(app.deps, user.id)).passwordHash).toBeNull();

    const anonymous = new HttpClient(app.baseUrl);
    await anonymous.submit("/forgot-password", "/forgot-password", { login: someone.email });
    const mail = await app.mail.waitFor(someone.email, /.*/);
    expect(mail.text).not.toMatch(/\/reset-password\/[\w-]{20,}/);

    const signIn = await anonymous.submit("/login", "/login", { login: user.username, password: "anything-at-all" });
    expect(signIn.status).toBe(401);

    const account = await client.get("/settings/account");
    expect(account.status).toBe(404);
    const cancel = await client.post("/settings/account/cancel", { confirm: "yes" });
    expect([403, 404]).toContain(cancel.status);
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");

    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const adminClient = await signedInClient(app.baseUrl, admin);
    await adminClient.get(`/admin/users/${user.id}`);
    const set = await adminClient.post(`/admin/users/${user.id}/password`, { newPassword: "A-new-Passw0rd!x", confirmed: "yes" });
    expect(set.status).toBeGreaterThanOrEqual(400);
    expect((await reloadUser(app.deps, user.id)).passwordHash).toBeNull();
  });

  it("obey the workspace's session limits", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    await app.deps.db.update(workspaces).set({ sessionIdleMinutes: 30, sessionMaxDays: 1 }).where(eq(workspaces.id, workspace.id));
    const someone = person();
    op.setAccount(someone);
    const { client } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
    clock.advance(31 * MINUTE);
    const idle = await client.get(`/w/${workspace.slug}`);
    expect(idle.status).toBe(303);
    expect(idle.location).toContain("/login?");

    const again = await ssoSignIn(app, op, workspace.slug, someone.sub);
    for (let step = 0; step < 50; step++) {
      clock.advance(29 * MINUTE);
      const page = await again.client.get(`/w/${workspace.slug}`);
      if (page.status !== 200) {
        expect(page.location).toContain("/login?");
        expect(step).toBeGreaterThanOrEqual(48);
        return;
      }
    }
    throw new Error("the 1-day maximum did not end the SSO session");
  });
});

describe("SSO step-up", () => {
  it("an SSO administrator with a stale sign-in confirms it is them by going through SSO again", async () => {
    const { workspace } = await workspaceWithSso(app, op, { defaultRole: "admin" });
    const someone = person();
    op.setAccount(someone);
    const { client } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    await client.get(`/w/${workspace.slug}/settings/sso`);
    clock.advance(16 * MINUTE);
    const fields = { issuer: op.issuer, clientId: "renamed-client", allowedDomains: "corp.example", defaultRole: "admin" };
    const stale = await client.post(`/w/${workspace.slug}/settings/sso`, fields);
    expect(stale.location).toMatch(/^\/reauth\?return_to=/);

    const again = await ssoSignIn(app, op, workspace.slug, someone.sub, client);
    expect(again.response.status).toBe(303);
    await client.get(`/w/${workspace.slug}/settings/sso`);
    const saved = await client.post(`/w/${workspace.slug}/settings/sso`, fields);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/w/${workspace.slug}/settings/sso`);
    const [config] = await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id));
    expect(config!.clientId).toBe("renamed-client");
  });
});

describe("Deleting an SSO account", () => {
  it("an administrator's delete purges the account's SSO identity; the person coming back is a new account", async () => {
    const { workspace } = await workspaceWithSso(app, op);
    const someone = person();
    op.setAccount(someone);
    await ssoSignIn(app, op, workspace.slug, someone.sub);
    const user = (await accountByEmail(app, someone.email))!;
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const adminClient = await signedInClient(app.baseUrl, admin);
    await adminClient.get(`/admin/users/${user.id}`);
    expect((await adminClient.post(`/admin/users/${user.id}/delete`, { confirmed: "yes" })).status).toBe(303);
    await vi.waitFor(async () => expect(await identitiesOf(app, user.id)).toEqual([]), { timeout: 15_000, interval: 100 });

    const back = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(back.response.status).toBe(303);
    const fresh = (await accountByEmail(app, someone.email))!;
    expect(fresh.id).not.toBe(user.id);
  });
});

describe("SSO required", () => {
  it("sends members who did not come through the workspace's SSO to /sso/:slug; SSO sessions pass; the owner keeps a way in", async () => {
    const { owner, workspace } = await workspaceWithSso(app, op, { required: true });
    const ownerClient = await signedInClient(app.baseUrl, owner);
    expect((await ownerClient.get(`/w/${workspace.slug}`)).status).toBe(200);

    const local = await createUser(app.deps, { email: `local-${Date.now()}@corp.example` });
    await addMember(app.deps, workspace, local, "member");
    const localClient = await signedInClient(app.baseUrl, local);
    const blocked = await localClient.get(`/w/${workspace.slug}/members`);
    expect(blocked.status).toBe(303);
    expect(blocked.location).toBe(`/sso/${workspace.slug}`);
    const page = await localClient.get(blocked.location!);
    expect(page.text).toContain("requires single sign-on");

    // The signed-in member proves the same person at the provider: linked to them, and in.
    const theirIdentity = person({ email: local.email });
    op.setAccount(theirIdentity);
    const linked = await ssoSignIn(app, op, workspace.slug, theirIdentity.sub, localClient);
    expect(linked.response.status).toBe(303);
    expect((await localClient.get(`/w/${workspace.slug}/members`)).status).toBe(200);
    expect(await identitiesOf(app, local.id)).toHaveLength(1);
    expect(await eventsOf("sso.identity_linked", workspace.id)).toHaveLength(1);

    const someone = person();
    op.setAccount(someone);
    const sso = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect((await sso.client.get(`/w/${workspace.slug}/members`)).status).toBe(200);
  });
});

describe("Removing SSO", () => {
  it("keeps every account, ends the SSO accounts' sessions, and finds them again by subject when SSO returns", async () => {
    const { owner, workspace, clientId } = await workspaceWithSso(app, op);
    const someone = person();
    op.setAccount(someone);
    const { client } = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
    const user = (await accountByEmail(app, someone.email))!;

    const ownerClient = await signedInClient(app.baseUrl, owner);
    await ownerClient.get(`/w/${workspace.slug}/settings/sso`);
    const ask = await ownerClient.post(`/w/${workspace.slug}/settings/sso/delete`, {});
    expect(ask.status).toBe(200);
    expect(await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id))).toHaveLength(1);
    const removed = await ownerClient.post(`/w/${workspace.slug}/settings/sso/delete`, { confirmed: "yes" });
    expect(removed.status).toBe(303);
    expect(await app.deps.db.select().from(ssoConfigs).where(eq(ssoConfigs.workspaceId, workspace.id))).toHaveLength(0);
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");
    const [event] = await eventsOf("sso.config_removed", workspace.id);
    expect(event!.details).toMatchObject({ issuer: op.issuer, accounts: 1 });

    const after = await client.get(`/w/${workspace.slug}`);
    expect(after.status).toBe(303);
    expect(after.location).toContain("/login");
    expect((await ownerClient.get(`/w/${workspace.slug}`)).status).toBe(200);
    expect((await new HttpClient(app.baseUrl).get(`/sso/${workspace.slug}`)).status).toBe(404);

    await ownerClient.get(`/w/${workspace.slug}/settings/sso`);
    await ownerClient.post(`/w/${workspace.slug}/settings/sso`, { issuer: op.issuer, clientId, clientSecret: CLIENT_SECRET, allowedDomains: "corp.example", defaultRole: "member" });
    const back = await ssoSignIn(app, op, workspace.slug, someone.sub);
    expect(back.response.status).toBe(303);
    expect((await back.client.get(`/w/${workspace.slug}`)).status).toBe(200);
    expect(await identitiesOf(app, user.id)).toHaveLength(1);
  });
});
