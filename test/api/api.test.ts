import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createUser, createWorkspace } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { callApi, issueToken } from "../tokens/helpers.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe("GET/PATCH /me", () => {
  it("reads the token's account", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const response = await callApi(app, "GET", "/me", { token: secret });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, username: user.username, email: user.email, twoFactorEnabled: false });
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("changes the username with the profile page's rules", async () => {
    const user = await createUser(app.deps);
    const other = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const renamed = `${user.username}_x`;
    expect((await callApi(app, "PATCH", "/me", { token: secret, json: { username: renamed } })).body.username).toBe(renamed);
    expect((await callApi(app, "GET", "/me", { token: secret })).body.username).toBe(renamed);

    const taken = await callApi(app, "PATCH", "/me", { token: secret, json: { username: other.username.toUpperCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "USERNAME_TAKEN", field: "username" });

    const invalid = await callApi(app, "PATCH", "/me", { token: secret, json: { username: "no spaces!" } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: "VALIDATION_FAILED", field: "username" });
    expect((await callApi(app, "GET", "/me", { token: secret })).body.username).toBe(renamed);
  });
});

describe("/tokens", () => {
  it("creates, lists, modifies (same secret), rolls (old secret dies at once) and deletes", async () => {
    const user = await createUser(app.deps);
    const { secret: manager } = await issueToken(app, user);

    const created = await callApi(app, "POST", "/tokens", { token: manager, json: { name: "ci", scopes: ["account:read"], ipAllowList: ["127.0.0.1", "2001:db8::/32"], expiresAt: "2030-06-01" } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.token).toMatchObject({ name: "ci", scopes: ["account:read"], ipAllowList: ["127.0.0.1", "2001:db8::/32"], expiresAt: "2030-06-01T00:00:00.000Z", expired: false });
    const id = created.body.token.id;
    const ciSecret = created.body.secret;
    expect((await callApi(app, "GET", "/me", { token: ciSecret })).status).toBe(200);

    const list = await callApi(app, "GET", "/tokens", { token: manager });
    expect(list.body.tokens.map((token: { id: string }) => token.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain(ciSecret);

    const modified = await callApi(app, "PATCH", `/tokens/${id}`, { token: manager, json: { name: "ci-2", ipAllowList: [], expiresAt: "2031-01-01T12:00:00Z" } });
    expect(modified.status).toBe(200);
    expect(modified.body.token).toMatchObject({ name: "ci-2", ipAllowList: [], expiresAt: "2031-01-01T12:00:00.000Z", scopes: ["account:read"] });
    expect((await callApi(app, "GET", "/me", { token: ciSecret })).status).toBe(200);

    const rolled = await callApi(app, "POST", `/tokens/${id}/roll`, { token: manager });
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret).not.toBe(ciSecret);
    expect(rolled.body.token).toMatchObject({ id, name: "ci-2", scopes: ["account:read"] });
    expect((await callApi(app, "GET", "/me", { token: ciSecret })).status).toBe(401);
    expect((await callApi(app, "GET", "/me", { token: rolled.body.secret })).status).toBe(200);

    expect((await callApi(app, "DELETE", `/tokens/${id}`, { token: manager })).status).toBe(204);
    const afterDelete = await callApi(app, "GET", "/me", { token: rolled.body.secret });
    expect(afterDelete.status).toBe(401);
    expect(afterDelete.body.error.code).toBe("TOKEN_REVOKED");
    expect((await callApi(app, "GET", `/tokens/${id}`, { token: manager })).status).toBe(404);
  });

  it("defaults to account:read and 90 days", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const created = await callApi(app, "POST", "/tokens", { token: secret, json: { name: "defaults" } });
    expect(created.body.token.scopes).toEqual(["account:read"]);
    const days = (Date.parse(created.body.token.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
  });

  it.each([
    [{ name: "x", ipAllowList: ["10.0.0.300"] }, "ipAllowList", /10\.0\.0\.300/],
    [{ name: "x", ipAllowList: ["10.0.0.0/40"] }, "ipAllowList", /10\.0\.0\.0\/40/],
    [{ name: "x", ipAllowList: ["2001:db8::/200"] }, "ipAllowList", /2001:db8::\/200/],
    [{ name: "x", ipAllowList: "10.0.0.1" }, "ipAllowList", /list/],
    [{ name: "x", scopes: ["account:read", "root"] }, "scopes", /Unknown scope "root"/],
    [{ name: "x", scopes: [] }, "scopes", /at least one/],
    [{ name: "x", expiresAt: "2001-01-01" }, "expiresAt", /future/],
    [{ name: "x", expiresAt: "2999-01-01" }, "expiresAt", /10 years/],
    [{ name: "x", expiresAt: "next week" }, "expiresAt", /date/],
    [{ name: "" }, "name", /name/],
    [{}, "name", /name/],
  ])("refuses %j naming the field, and stores nothing", async (body, field, message) => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const response = await callApi(app, "POST", "/tokens", { token: secret, json: body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.error.field).toBe(field);
    expect(response.body.error.message).toMatch(message);
    expect((await callApi(app, "GET", "/tokens", { token: secret })).body.tokens).toHaveLength(1);
  });

  it("refuses bodies that are too large, not JSON, or not an object", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const big = await callApi(app, "POST", "/tokens", { token: secret, json: { name: "x", padding: "a".repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", field: "body" });

    const form = await callApi(app, "POST", "/tokens", { token: secret, body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expect(form.body.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", field: "content-type" });

    const broken = await callApi(app, "POST", "/tokens", { token: secret, body: "{name:", headers: { "content-type": "application/json" } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("INVALID_JSON");

    const array = await callApi(app, "POST", "/tokens", { token: secret, json: [{ name: "x" }] });
    expect(array.status).toBe(422);
    expect(array.body.error.field).toBe("body");
    expect((await callApi(app, "GET", "/tokens", { token: secret })).body.tokens).toHaveLength(1);
  });

  it("cannot see or touch another user's tokens (404)", async () => {
    const [alice, bob] = [await createUser(app.deps), await createUser(app.deps)];
    const { secret } = await issueToken(app, alice);
    const { token: bobs } = await issueToken(app, bob);
    expect((await callApi(app, "GET", `/tokens/${bobs.id}`, { token: secret })).status).toBe(404);
    expect((await callApi(app, "PATCH", `/tokens/${bobs.id}`, { token: secret, json: { name: "mine" } })).status).toBe(404);
    expect((await callApi(app, "POST", `/tokens/${bobs.id}/roll`, { token: secret })).status).toBe(404);
    expect((await callApi(app, "DELETE", `/tokens/${bobs.id}`, { token: secret })).status).toBe(404);
    expect((await callApi(app, "GET", "/tokens/not-a-uuid", { token: secret })).status).toBe(404);
  });
});

describe("/audit-events", () => {
  it("pages through the user's own events with a keyset cursor", async () => {
    const user = await createUser(app.deps);
    const other = await createUser(app.deps);
    await issueToken(app, other);
    const { secret } = await issueToken(app, user);
    for (let i = 0; i < 4; i++) await callApi(app, "POST", "/tokens", { token: secret, json: { name: `t${i}` } });
    const first = await callApi(app, "GET", "/audit-events?limit=3", { token: secret });
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await callApi(app, "GET", `/audit-events?limit=3&cursor=${first.body.nextCursor}`, { token: secret });
    expect(second.body.events).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.events, ...second.body.events].map((event: { id: string }) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    expect(first.body.events[0]).toMatchObject({ type: "token.created", label: "Access token created" });

    const bad = await callApi(app, "GET", "/audit-events?limit=1000", { token: secret });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("limit");
  });
});

describe("/workspaces", () => {
  it("lists the user's workspaces, and members only for owners and admins", async () => {
    const owner = await createUser(app.deps);
    const admin = await createUser(app.deps);
    const member = await createUser(app.deps);
    const outsider = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await addMember(app.deps, workspace, admin, "admin");
    await addMember(app.deps, workspace, member, "member");
    const tokens = Object.fromEntries(await Promise.all([owner, admin, member, outsider].map(async (user) => [user.id, (await issueToken(app, user)).secret])));

    const list = await callApi(app, "GET", "/workspaces", { token: tokens[member.id] });
    expect(list.body.workspaces).toEqual([{ slug: workspace.slug, name: workspace.name, role: "member" }]);

    const byOwner = await callApi(app, "GET", `/workspaces/${workspace.slug}/members`, { token: tokens[owner.id] });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.members.map((m: { username: string }) => m.username).sort()).toEqual([owner.username, admin.username, member.username].sort());
    expect((await callApi(app, "GET", `/workspaces/${workspace.slug}/members`, { token: tokens[admin.id] })).status).toBe(200);
    const byMember = await callApi(app, "GET", `/workspaces/${workspace.slug}/members`, { token: tokens[member.id] });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe("FORBIDDEN");
    expect((await callApi(app, "GET", `/workspaces/${workspace.slug}/members`, { token: tokens[outsider.id] })).status).toBe(404);
  });
});

describe("errors are JSON", () => {
  it("answers unknown routes and missing tokens with JSON", async () => {
    const missing = await callApi(app, "GET", "/me");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(missing.body.error.code).toBe("UNAUTHENTICATED");
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const unknown = await callApi(app, "GET", "/nope", { token: secret });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
  });

  it("serves the OpenAPI document and a reference page without a token", async () => {
    const document = await callApi(app, "GET", "/openapi.json");
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe("3.1.0");
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(["/me", "/tokens", "/tokens/{id}", "/tokens/{id}/roll", "/audit-events", "/workspaces", "/workspaces/{slug}/members"]));
    const page = await fetch(new URL("/api/v1/docs", app.baseUrl));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Management API · Latchkey</title>");
    expect(html).toContain("PATCH /tokens/{id}");
  });
});
