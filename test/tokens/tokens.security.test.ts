import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens } from "../../src/modules/tokens/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { callApi, eventsOf, issueToken } from "./helpers.js";

// What an attacker with, or without, a token would try against /api/v1.
let app: TestApp;
let proxied: TestApp; // TRUST_PROXY set: X-Forwarded-For decides the client address
beforeAll(async () => {
  [app, proxied] = await Promise.all([startTestApp(), startTestApp({ env: { TRUST_PROXY: "loopback" } })]);
});
afterAll(async () => {
  await Promise.all([app?.close(), proxied?.close()]);
});

const rejections = async (target: TestApp, userId: string | null) => (await eventsOf(target, userId, "token.rejected")).map((event) => event.details);

describe("where a token is accepted from", () => {
  it("refuses a token in the query string, even next to a valid header", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    for (const query of [`access_token=${secret}`, `token=${secret}`, `q=${secret}`]) {
      const response = await callApi(app, "GET", `/me?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("TOKEN_IN_QUERY");
    }
    expect((await callApi(app, "GET", `/me?access_token=${secret}`, { token: secret })).status).toBe(400);
  });

  it("ignores the session cookie: a signed-in browser cannot use the API", async () => {
    const user = await createUser(app.deps);
    const browser = await signedInClient(app.baseUrl, user);
    const response = await callApi(app, "GET", "/me", { headers: { cookie: browser.cookieHeader() } });
    expect(response.status).toBe(401);
    const write = await callApi(app, "PATCH", "/me", { headers: { cookie: browser.cookieHeader() }, json: { username: "hijacked" } });
    expect(write.status).toBe(401);
  });

  it("accepts only the Bearer scheme", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    for (const authorization of [`Basic ${Buffer.from(`x:${secret}`).toString("base64")}`, `Token ${secret}`, secret]) {
      const response = await callApi(app, "GET", "/me", { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("INVALID_AUTHORIZATION");
    }
  });

  it("stores only the SHA-256 of the secret", async () => {
    const user = await createUser(app.deps);
    const { secret, token } = await issueToken(app, user);
    const [row] = await app.deps.db.select().from(accessTokens).where(eq(accessTokens.id, token.id));
    expect(row!.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(secret.slice(3));
  });
});

describe("refused tokens are answered and recorded", () => {
  it("unknown token: 401, recorded without an owner", async () => {
    const response = await callApi(app, "GET", "/me", { token: `lk_${"A".repeat(43)}` });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("INVALID_TOKEN");
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await rejections(app, null)).some((details) => details.reason === "unknown")).toBe(true);
  });

  it("expired token: 401 TOKEN_EXPIRED, recorded", async () => {
    const user = await createUser(app.deps);
    const { secret, token } = await issueToken(app, user);
    await app.deps.db.update(accessTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accessTokens.id, token.id));
    const response = await callApi(app, "GET", "/me", { token: secret });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("TOKEN_EXPIRED");
    expect(await rejections(app, user.id)).toEqual([expect.objectContaining({ reason: "expired", tokenId: token.id })]);
  });

  it("deleted token: 401 TOKEN_REVOKED, recorded", async () => {
    const user = await createUser(app.deps);
    const { secret, token } = await issueToken(app, user);
    expect((await callApi(app, "DELETE", `/tokens/${token.id}`, { token: secret })).status).toBe(204);
    const response = await callApi(app, "GET", "/me", { token: secret });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("TOKEN_REVOKED");
    expect(await rejections(app, user.id)).toEqual([expect.objectContaining({ reason: "deleted", tokenId: token.id })]);
  });

  it("out-of-scope use: 403 INSUFFICIENT_SCOPE, recorded with the scope", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user, { scopes: ["account:read"] });
    expect((await callApi(app, "GET", "/me", { token: secret })).status).toBe(200);
    const write = await callApi(app, "PATCH", "/me", { token: secret, json: { username: "renamed_by_reader" } });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("INSUFFICIENT_SCOPE");
    expect((await callApi(app, "GET", "/tokens", { token: secret })).status).toBe(403);
    expect((await callApi(app, "GET", "/audit-events", { token: secret })).status).toBe(403);
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.username).toBe(user.username);
    expect((await rejections(app, user.id)).map((details) => details.scope).sort()).toEqual(["account:write", "audit:read", "tokens:manage"]);
  });

  it("a locked account's token stops working", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    await app.deps.db.update(users).set({ status: "locked" }).where(eq(users.id, user.id));
    expect((await callApi(app, "GET", "/me", { token: secret })).body.error.code).toBe("ACCOUNT_DISABLED");
  });
});

describe("IP allow-lists and the client address", () => {
  it("without TRUST_PROXY, X-Forwarded-For is ignored: the socket address decides", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user, { ipAllowList: ["203.0.113.5"] });
    const forged = await callApi(app, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "203.0.113.5" } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("IP_NOT_ALLOWED");
    expect(await rejections(app, user.id)).toEqual([expect.objectContaining({ reason: "ip_not_allowed" })]);
    const { secret: local } = await issueToken(app, user, { ipAllowList: ["127.0.0.0/8"] });
    expect((await callApi(app, "GET", "/me", { token: local, headers: { "x-forwarded-for": "198.51.100.1" } })).status).toBe(200);
  });

  it("with TRUST_PROXY, X-Forwarded-For is the client: IPv4 addresses and CIDR ranges", async () => {
    const user = await createUser(proxied.deps);
    const { secret } = await issueToken(proxied, user, { ipAllowList: ["203.0.113.5", "198.51.100.0/24"] });
    const from = (ip: string) => callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": ip } });
    expect((await from("203.0.113.5")).status).toBe(200);
    expect((await from("198.51.100.250")).status).toBe(200);
    expect((await from("203.0.113.6")).status).toBe(403);
    expect((await from("198.51.101.1")).status).toBe(403);
    expect((await callApi(proxied, "GET", "/me", { token: secret })).status).toBe(403); // 127.0.0.1 itself is not listed
  });

  it("with TRUST_PROXY: IPv6 addresses and ranges, never matched across families", async () => {
    const user = await createUser(proxied.deps);
    const { secret } = await issueToken(proxied, user, { ipAllowList: ["2001:db8:abcd::/48", "2001:db8::42"] });
    const from = (ip: string) => callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": ip } });
    expect((await from("2001:db8:abcd:12::7")).status).toBe(200);
    expect((await from("2001:DB8:0:0::42")).status).toBe(200);
    expect((await from("2001:db8:abce::1")).status).toBe(403);
    expect((await from("2001:db8::43")).status).toBe(403);
    expect((await from("10.0.0.1")).status).toBe(403);
  });

  it("records last use at most once a minute per token and address (Redis SET NX guard)", async () => {
    const user = await createUser(proxied.deps);
    const { secret, token } = await issueToken(proxied, user);
    const lastUse = async () => (await proxied.deps.db.select().from(accessTokens).where(eq(accessTokens.id, token.id)))[0]!;
    expect((await lastUse()).lastUsedAt).toBeNull();
    await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "192.0.2.10" } });
    const first = await lastUse();
    expect(first.lastUsedIp).toBe("192.0.2.10");
    await proxied.deps.db.update(accessTokens).set({ lastUsedAt: new Date("2020-01-01T00:00:00Z") }).where(eq(accessTokens.id, token.id));
    await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "192.0.2.10" } });
    expect((await lastUse()).lastUsedAt!.toISOString()).toBe("2020-01-01T00:00:00.000Z"); // no write within the minute
    await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "2001:db8::9" } });
    const moved = await lastUse();
    expect(moved.lastUsedIp).toBe("2001:db8::9"); // a new address is written at once
    expect(moved.lastUsedAt!.getTime()).toBeGreaterThan(first.lastUsedAt!.getTime() - 1000);
  });
});

describe("a token cannot reach beyond its own scopes", () => {
  it("cannot create a token with scopes it lacks; nothing is stored", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user, { scopes: ["tokens:manage"] });
    const response = await callApi(app, "POST", "/tokens", { token: secret, json: { name: "escalate", scopes: ["account:write", "tokens:manage"] } });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: "SCOPE_NOT_GRANTABLE", field: "scopes" });
    expect((await callApi(app, "GET", "/tokens", { token: secret })).body.tokens).toHaveLength(1);
    expect((await callApi(app, "POST", "/tokens", { token: secret, json: { name: "same", scopes: ["tokens:manage"] } })).status).toBe(201);
  });

  it("cannot roll or widen a broader token of the same owner", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user, { scopes: ["tokens:manage"] });
    const { token: broad } = await issueToken(app, user, { ipAllowList: ["192.0.2.1"] });
    expect((await callApi(app, "POST", `/tokens/${broad.id}/roll`, { token: secret })).status).toBe(403);
    expect((await callApi(app, "PATCH", `/tokens/${broad.id}`, { token: secret, json: { ipAllowList: [] } })).status).toBe(403);
    const [row] = await app.deps.db.select().from(accessTokens).where(eq(accessTokens.id, broad.id));
    expect(row!.ipAllowList).toEqual(["192.0.2.1"]);
    expect(row!.secretHash).toBe(broad.secretHash);
  });
});

describe("rate limits", () => {
  it("per token: 120 a minute, with RateLimit-* headers, then 429 with Retry-After", async () => {
    const user = await createUser(proxied.deps);
    const { secret } = await issueToken(proxied, user);
    // A different forwarded address per request keeps the per-IP limit out of the way.
    let last = await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "192.0.2.200" } });
    expect(last.headers.get("ratelimit-limit")).toBe("120");
    expect(last.headers.get("ratelimit-remaining")).toBe("119");
    expect(Number(last.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    for (let i = 1; i < 120; i++) last = await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": `192.0.2.${i % 200}` } });
    expect(last.status).toBe(200);
    expect(last.headers.get("ratelimit-remaining")).toBe("0");
    const over = await callApi(proxied, "GET", "/me", { token: secret, headers: { "x-forwarded-for": "192.0.2.201" } });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("RATE_LIMITED");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another token of the same user is not affected.
    const { secret: other } = await issueToken(proxied, user);
    expect((await callApi(proxied, "GET", "/me", { token: other, headers: { "x-forwarded-for": "192.0.2.202" } })).status).toBe(200);
  });

  it("per address: 300 a minute, counted before any token is checked", async () => {
    const headers = { "x-forwarded-for": "198.51.100.77" };
    let last = await callApi(proxied, "GET", "/openapi.json", { headers });
    expect(last.headers.get("ratelimit-limit")).toBe("300");
    for (let i = 1; i < 300; i++) last = await callApi(proxied, "GET", "/openapi.json", { headers });
    expect(last.status).toBe(200);
    const over = await callApi(proxied, "GET", "/me", { token: `lk_${"B".repeat(43)}`, headers });
    expect(over.status).toBe(429);
    expect((await callApi(proxied, "GET", "/openapi.json", { headers: { "x-forwarded-for": "198.51.100.78" } })).status).toBe(200);
  });
});
