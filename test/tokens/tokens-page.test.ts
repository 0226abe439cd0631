import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { accessTokens } from "../../src/modules/tokens/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { callApi, issueToken } from "./helpers.js";

let app: TestApp;
const clock = manualClock();
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(async () => {
  await app?.close();
});

const SECRET = /lk_[A-Za-z0-9_-]{43}/;

// Posts a form the way a browser does, repeated keys included (checkboxes).
function postForm(client: HttpClient, path: string, fields: Array<[string, string]>, options: { htmx?: boolean } = {}) {
  const body = new URLSearchParams([["_csrf", client.csrfToken ?? ""], ...fields]).toString();
  return client.request("POST", path, { body, headers: { "content-type": "application/x-www-form-urlencoded", ...(options.htmx ? { "hx-request": "true" } : {}) } });
}

async function newUserOnTokensPage() {
  const user = await createUser(app.deps);
  const client = await signedInClient(app.baseUrl, user);
  const page = await client.get("/settings/tokens");
  expect(page.status).toBe(200);
  return { user, client, page };
}

const tokensOf = (userId: string) => app.deps.db.select().from(accessTokens).where(eq(accessTokens.userId, userId));

describe("/settings/tokens", () => {
  it("is a settings page of its own, linked from the settings menu", async () => {
    const { page } = await newUserOnTokensPage();
    expect(page.text).toContain("<title>Access tokens · Latchkey</title>");
    expect(page.text).toMatch(/href="\/settings\/tokens" class="is-current"/);
    expect(page.text).toContain("No tokens yet.");
  });

  it("creates a token and shows its secret once; a second load never shows it", async () => {
    const { user, client } = await newUserOnTokensPage();
    const created = await postForm(client, "/settings/tokens", [["name", "deploy"], ["scopes", "account:read"], ["scopes", "audit:read"], ["ipAllowList", "127.0.0.1\n2001:db8::/32"], ["expiresAt", ""]]);
    expect(created.status).toBe(200);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const secret = SECRET.exec(created.text)![0];
    expect(created.text).toContain("this is the only time it is shown");

    const [stored] = await tokensOf(user.id);
    expect(stored).toMatchObject({ name: "deploy", scopes: ["account:read", "audit:read"], ipAllowList: ["127.0.0.1", "2001:db8::/32"] });
    expect(Math.round((stored!.expiresAt.getTime() - clock.now().getTime()) / 86_400_000)).toBe(90);
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(200);

    const reload = await client.get("/settings/tokens");
    expect(reload.text).toContain(stored!.id);
    expect(reload.text).toContain("deploy");
    expect(reload.text).not.toMatch(SECRET);
  });

  it("with htmx, answers the tokens area as a fragment carrying the secret", async () => {
    const { client } = await newUserOnTokensPage();
    const created = await postForm(client, "/settings/tokens", [["name", "htmx"], ["scopes", "account:read"], ["expiresAt", "2030-01-01"]], { htmx: true });
    expect(created.status).toBe(200);
    expect(created.text).not.toContain("<html");
    expect(created.text).toContain('id="tokens"');
    expect(created.text).toMatch(SECRET);
  });

  it.each([
    [[["ipAllowList", "10.0.0.300"]], "10.0.0.300"],
    [[["ipAllowList", "2001:db8::/129"]], "2001:db8::/129"],
    [[["expiresAt", "2001-01-01"]], "in the future"],
    [[["expiresAt", "2999-01-01"]], "at most 10 years away"],
    [[["scopes", "root"]], "Unknown scope"],
  ] as Array<[Array<[string, string]>, string]>)("refuses %j next to the field, storing nothing", async (fields, message) => {
    const { user, client } = await newUserOnTokensPage();
    const response = await postForm(client, "/settings/tokens", [["name", "bad"], ["scopes", "audit:read"], ...fields]);
    expect(response.status).toBe(422);
    expect(response.text).toMatch(/class="field__error"[^>]*>[^<]*/);
    expect(response.text).toContain(message);
    expect(response.text).toMatch(/value="audit:read" checked/); // the choice is kept
    expect(await tokensOf(user.id)).toHaveLength(0);
    const htmx = await postForm(client, "/settings/tokens", [["name", "bad"], ...fields], { htmx: true });
    expect(htmx.status).toBe(422);
    expect(htmx.text).not.toContain("<html");
    expect(await tokensOf(user.id)).toHaveLength(0);
  });

  it("modifies name, allow-list and expiry in place without changing the secret (no JavaScript and htmx)", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { token, secret } = await issueToken(app, user, { ipAllowList: ["192.0.2.1"] });

    const edit = await client.get(`/settings/tokens/${token.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`action="/settings/tokens/${token.id}"`);
    const saved = await postForm(client, `/settings/tokens/${token.id}`, [["name", "renamed"], ["ipAllowList", "127.0.0.0/8, ::1"], ["expiresAt", "2031-05-05"]]);
    expect(saved.status).toBe(303);
    let [row] = await tokensOf(user.id);
    expect(row).toMatchObject({ name: "renamed", ipAllowList: ["127.0.0.0/8", "::1"], secretHash: token.secretHash });
    expect(row!.expiresAt.toISOString()).toBe("2031-05-05T00:00:00.000Z");
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(200);

    const inline = await client.get(`/settings/tokens/${token.id}/edit`, { "hx-request": "true" });
    expect(inline.text).toMatch(/^\s*<tr id="token-/);
    const htmxSaved = await postForm(client, `/settings/tokens/${token.id}`, [["name", "inline"], ["ipAllowList", ""], ["expiresAt", "2031-05-05"]], { htmx: true });
    expect(htmxSaved.status).toBe(200);
    expect(htmxSaved.text).toContain("inline");
    expect(htmxSaved.text).not.toMatch(SECRET);
    const failed = await postForm(client, `/settings/tokens/${token.id}`, [["name", "inline"], ["ipAllowList", "nonsense"], ["expiresAt", "2031-05-05"]], { htmx: true });
    expect(failed.status).toBe(422);
    expect(failed.text).toContain("nonsense");
    [row] = await tokensOf(user.id);
    expect(row).toMatchObject({ name: "inline", ipAllowList: [], secretHash: token.secretHash });
  });

  it("rolls: a new secret, shown once, replaces the old one at once; settings stay", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { token, secret } = await issueToken(app, user, { name: "rolling", scopes: ["account:read"] });
    const confirm = await client.get(`/settings/tokens/${token.id}/roll`);
    expect(confirm.text).toContain("Roll the token");
    const rolled = await postForm(client, `/settings/tokens/${token.id}/roll`, [["confirmed", "yes"]]);
    expect(rolled.status).toBe(200);
    const fresh = SECRET.exec(rolled.text)![0];
    expect(fresh).not.toBe(secret);
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(401);
    expect((await callApi(app, "GET", "/me", { token: fresh })).status).toBe(200);
    const [row] = await tokensOf(user.id);
    expect(row).toMatchObject({ id: token.id, name: "rolling", scopes: ["account:read"] });
    expect((await client.get("/settings/tokens")).text).not.toMatch(SECRET);
  });

  it("deletes: the token stops working at once", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { token, secret } = await issueToken(app, user);
    expect((await client.get(`/settings/tokens/${token.id}/delete`)).text).toContain("Delete the token");
    const deleted = await postForm(client, `/settings/tokens/${token.id}/delete`, [["confirmed", "yes"]]);
    expect(deleted.status).toBe(303);
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(401);
    expect((await client.get("/settings/tokens")).text).not.toContain(token.id);
  });

  it("marks expired tokens", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { token } = await issueToken(app, user);
    expect((await client.get("/settings/tokens")).text).not.toContain('data-testid="token-expired"');
    await app.deps.db.update(accessTokens).set({ expiresAt: new Date(clock.now().getTime() - 1000) }).where(eq(accessTokens.id, token.id));
    expect((await client.get("/settings/tokens")).text).toContain('data-testid="token-expired"');
  });

  it("mails the owner about a new or rolled token, and the security log shows changes and refused uses", async () => {
    const { user, client } = await newUserOnTokensPage();
    await postForm(client, "/settings/tokens", [["name", "noticed"], ["scopes", "account:read"]]);
    await app.mail.waitFor(user.email, /new access token was created/, { text: /"noticed"/ });
    const [token] = await tokensOf(user.id);
    await client.get(`/settings/tokens/${token!.id}/roll`);
    const rolled = await postForm(client, `/settings/tokens/${token!.id}/roll`, [["confirmed", "yes"]]);
    await app.mail.waitFor(user.email, /access token was rolled/);
    const secret = SECRET.exec(rolled.text)![0];
    expect(JSON.stringify(app.mail.all())).not.toContain(secret);
    expect((await callApi(app, "PATCH", "/me", { token: secret, json: { username: "not_allowed" } })).status).toBe(403);
    const log = await client.get("/settings/security");
    expect(log.text).toContain("Access token created");
    expect(log.text).toContain("Access token rolled");
    expect(log.text).toContain("Access token refused");
  });

  it("shows last use (time and address)", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { secret } = await issueToken(app, user);
    expect((await client.get("/settings/tokens")).text).toContain("Never");
    await callApi(app, "GET", "/me", { token: secret });
    const page = await client.get("/settings/tokens");
    expect(page.text).toContain("127.0.0.1");
    expect(page.text).not.toContain(">Never<");
  });

  it("needs a fresh authentication to create, modify, roll or delete", async () => {
    const { user, client } = await newUserOnTokensPage();
    const { token, secret } = await issueToken(app, user, { name: "kept" });
    clock.advance(16 * 60_000);
    try {
      for (const [path, fields] of [
        ["/settings/tokens", [["name", "late"]]],
        [`/settings/tokens/${token.id}`, [["name", "late"]]],
        [`/settings/tokens/${token.id}/roll`, []],
        [`/settings/tokens/${token.id}/delete`, []],
      ] as Array<[string, Array<[string, string]>]>) {
        const response = await postForm(client, path, fields);
        expect(response.status).toBe(303);
        expect(response.location).toMatch(/^\/reauth\?return_to=/);
      }
      const rows = await tokensOf(user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: "kept", secretHash: token.secretHash, deletedAt: null });
      expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(200);
    } finally {
      clock.set(new Date());
    }
  });

  it("answers 404 for another user's token", async () => {
    const { client } = await newUserOnTokensPage();
    const other = await createUser(app.deps);
    const { token } = await issueToken(app, other);
    expect((await client.get(`/settings/tokens/${token.id}/edit`)).status).toBe(404);
    expect((await postForm(client, `/settings/tokens/${token.id}/delete`, [["confirmed", "yes"]])).status).toBe(404);
    expect((await tokensOf(other.id))[0]!.deletedAt).toBeNull();
  });
});

describe("an instance administrator manages any user's tokens", () => {
  it("from /admin/users/:id: create, see and delete; other users cannot", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const subject = await createUser(app.deps);
    const adminClient = await signedInClient(app.baseUrl, admin);
    const userPage = await adminClient.get(`/admin/users/${subject.id}`);
    expect(userPage.text).toContain(`href="/admin/users/${subject.id}/tokens"`);

    const page = await adminClient.get(`/admin/users/${subject.id}/tokens`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Access tokens of ${subject.username}`);
    const created = await postForm(adminClient, `/admin/users/${subject.id}/tokens`, [["name", "by admin"], ["scopes", "account:read"]]);
    expect(created.status).toBe(200);
    const secret = SECRET.exec(created.text)![0];
    expect((await callApi(app, "GET", "/me", { token: secret })).body.id).toBe(subject.id);
    const [row] = await tokensOf(subject.id);
    expect(row!.createdById).toBe(admin.id);

    const subjectClient = await signedInClient(app.baseUrl, subject);
    expect((await subjectClient.get("/settings/tokens")).text).toContain("by admin");
    expect((await subjectClient.get(`/admin/users/${subject.id}/tokens`)).status).toBe(403);
    expect((await postForm(subjectClient, `/admin/users/${admin.id}/tokens`, [["name", "x"]])).status).toBe(403);

    await adminClient.get(`/admin/users/${subject.id}/tokens`);
    expect((await postForm(adminClient, `/admin/users/${subject.id}/tokens/${row!.id}/delete`, [["confirmed", "yes"]])).status).toBe(303);
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(401);
    expect((await adminClient.get(`/admin/users/00000000-0000-0000-0000-000000000000/tokens`)).status).toBe(404);
  });
});
