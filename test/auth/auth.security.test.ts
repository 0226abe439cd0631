import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { nextNonce } from "../../src/web/security.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const COOKIE = "latchkey.sid";

async function workspaceRow(id: string) {
  const [row] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, id));
  return row;
}

describe("session fixation", () => {
  it("issues a new session id at sign-in and the pre-login id stops working", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.get("/login");
    const before = client.cookie(COOKIE);
    expect(before).toBeTruthy();
    await client.post("/login", { login: user.username, password: user.password });
    const after = client.cookie(COOKIE);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    const sid = decodeURIComponent(before!).slice(2).split(".")[0];
    expect(await app.deps.redis.exists(`${app.redisPrefix}sess:${sid}`)).toBe(0);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, host-only, without Secure over plain http", async () => {
    const response = await new HttpClient(app.baseUrl).get("/login");
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  it("is __Host- prefixed and Secure when BASE_URL is https", async () => {
    const httpsApp = await startTestApp({ env: { BASE_URL: "https://latchkey.example", TRUST_PROXY: "loopback" } });
    try {
      const response = await new HttpClient(httpsApp.baseUrl).get("/login", { "x-forwarded-proto": "https" });
      const cookie = response.headers.getSetCookie().find((line) => line.startsWith("__Host-latchkey.sid="))!;
      expect(cookie).toBeTruthy();
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).not.toMatch(/Domain=/i);
      expect(response.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await httpsApp.close();
    }
  });
});

describe("CSRF", () => {
  it("refuses a state-changing request without the token and changes nothing", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    const response = await client.post("/workspaces", { name: "Sneaky workspace" }, { csrf: null });
    expect(response.status).toBe(403);
    expect(response.text).toContain("Your form expired");
    const list = await client.get("/workspaces");
    expect(list.text).not.toContain("Sneaky workspace");
  });

  it("refuses a wrong token and a token from another session", async () => {
    const user = await createUser(app.deps);
    const victim = new HttpClient(app.baseUrl);
    await victim.submit("/login", "/login", { login: user.username, password: user.password });
    const attacker = new HttpClient(app.baseUrl);
    await attacker.get("/login");
    expect((await victim.post("/workspaces", { name: "Forged one" }, { csrf: "0".repeat(64) })).status).toBe(403);
    expect((await victim.post("/workspaces", { name: "Forged two" }, { csrf: attacker.csrfToken })).status).toBe(403);
  });

  it("refuses a cross-site request even with a valid token (Fetch Metadata)", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    await client.get("/workspaces/new");
    const response = await client.post("/workspaces", { name: "Cross site" }, { headers: { "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(403);
  });

  it("accepts the token from the htmx header", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    await client.get("/workspaces/new");
    const token = client.csrfToken!;
    const response = await client.post("/workspaces", { name: "Via htmx" }, { csrf: null, htmx: true, headers: { "x-csrf-token": token } });
    expect(response.status).toBe(204);
    expect(response.headers.get("hx-redirect")).toBe("/w/via-htmx");
  });
});

describe("account enumeration", () => {
  async function attempt(login: string) {
    const client = new HttpClient(app.baseUrl);
    await client.get("/login");
    const started = performance.now();
    const response = await client.post("/login", { login, password: "Wrong-password-1" });
    return { status: response.status, body: response.text.replace(/(value|nonce)="[^"]*"|"x-csrf-token": "[^"]*"/g, ""), ms: performance.now() - started };
  }

  it("answers unknown and known accounts with the same status, message and comparable time", async () => {
    const user = await createUser(app.deps);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await attempt(user.username);
      const b = await attempt(`nobody_${i}_${user.username}`);
      expect(a.status).toBe(401);
      expect(b.status).toBe(a.status);
      expect(b.body).toBe(a.body);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    // Without the dummy hash an unknown account answers ~20x faster.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });
});

describe("tenancy", () => {
  it("a member of workspace A asking for workspace B gets 404, as for a workspace that does not exist", async () => {
    const alice = await createUser(app.deps);
    const bob = await createUser(app.deps);
    await createWorkspace(app.deps, alice);
    const bobs = await createWorkspace(app.deps, bob);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: alice.username, password: alice.password });
    const foreign = await client.get(`/w/${bobs.slug}`);
    const missing = await client.get("/w/does-not-exist");
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.text).not.toContain(bobs.name);
    const switchAttempt = await client.submit("/workspaces", "/workspaces/switch", { slug: bobs.slug });
    expect(switchAttempt.status).toBe(404);
  });

  it("an owner of workspace A gets 404 for every page and action of workspace B, which stays unchanged", async () => {
    const alice = await createUser(app.deps);
    const bob = await createUser(app.deps);
    const carol = await createUser(app.deps);
    const alices = await createWorkspace(app.deps, alice);
    const bobs = await createWorkspace(app.deps, bob);
    await addMember(app.deps, bobs, carol, "admin");
    await enableTotpFor(app.deps, carol);
    const client = await signedInClient(app.baseUrl, alice);
    // Alice manages her own workspace: the refusals below are about B, not her role.
    expect((await client.get(`/w/${alices.slug}/settings`)).status).toBe(200);
    const before = await workspaceRow(bobs.id);

    for (const path of [`/w/${bobs.slug}/members`, `/w/${bobs.slug}/settings`]) {
      const response = await client.get(path);
      expect(response.status, path).toBe(404);
      for (const secret of [bobs.name, bob.email, carol.email, carol.username]) expect(response.text, path).not.toContain(secret);
    }
    const posts: Array<[string, Record<string, string>]> = [
      [`/w/${bobs.slug}/settings/sessions`, { sessionIdleMinutes: "30", sessionMaxDays: "1" }],
      [`/w/${bobs.slug}/settings/two-factor`, { requireTwoFactor: "on" }],
      [`/w/${bobs.slug}/members/${carol.id}/two-factor/reset`, {}],
    ];
    for (const [path, fields] of posts) {
      await client.get(`/w/${alices.slug}/settings`);
      const response = await client.post(path, fields);
      expect(response.status, path).toBe(404);
      expect(response.text, path).not.toContain(bobs.name);
    }
    expect(await workspaceRow(bobs.id)).toEqual(before);
    expect((await reloadUser(app.deps, carol.id)).totpEnabledAt).not.toBeNull();
  });
});

describe("headers", () => {
  it("sends a nonce CSP without unsafe-inline, and no-store on signed-in pages", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    const page = await client.get("/settings/profile");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(page.text).toContain(`nonce="${nonce}"`);
  });

  it("never gives two responses the same CSP nonce, each 128 random bits (also across refills of the random block)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const nonce = nextNonce();
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(2000);
  });
});
