import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { HttpClient, sessionIdOf } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const MINUTE = 60_000;
const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
const FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

let app: TestApp;
let other: { baseUrl: string; close(): Promise<void> };

beforeAll(async () => {
  app = await startTestApp({ clock });
  other = await app.startAnotherInstance();
});
afterAll(() => app.close());

async function signIn(baseUrl: string, user: { username: string; password: string }, userAgent: string) {
  const client = new HttpClient(baseUrl);
  await client.get("/login", { "user-agent": userAgent });
  const response = await client.request("POST", "/login", {
    body: new URLSearchParams({ _csrf: client.csrfToken!, login: user.username, password: user.password }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": userAgent },
  });
  expect(response.status).toBe(303);
  return client;
}

function handlesIn(html: string): string[] {
  return [...html.matchAll(/data-session="([^"]+)"/g)].map((match) => match[1]!);
}

describe("active sessions", () => {
  it("lists every session with device, browser, IP, times and workspace, marking this one", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const laptop = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    await signIn(app.baseUrl, user, SAFARI_ON_IPHONE);
    const page = await laptop.get("/settings/security");
    expect(page.status).toBe(200);
    expect(handlesIn(page.text)).toHaveLength(2);
    expect(page.text).toContain("Firefox 132");
    expect(page.text).toContain("Linux");
    expect(page.text).toContain("Mobile Safari 17");
    expect(page.text).toContain("Apple iPhone, iOS 17.5");
    expect(page.text).toContain("127.0.0.1");
    expect(page.text).toMatch(/<time datetime="2026-11-23T09:\d\d:[\d.]+Z" title="Nov 23, 2026, 09:\d\d UTC">/);
    expect(page.text).toContain(workspace.name);
    expect(page.text.match(/This session/g)).toHaveLength(1);
    expect(page.text).not.toContain(sessionIdOf(laptop));
  });

  it("ends one session at once, also when the other session lives on another web process", async () => {
    const user = await createUser(app.deps);
    const mine = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    const theirs = await signIn(other.baseUrl, user, SAFARI_ON_IPHONE);
    expect((await theirs.get("/settings/profile")).status).toBe(200);

    const page = await mine.get("/settings/security");
    const current = /data-session="([^"]+)">[\s\S]*?This session/.exec(page.text)![1];
    const target = handlesIn(page.text).find((handle) => handle !== current)!;
    const response = await mine.post(`/settings/security/sessions/${target}/end`, { confirmed: "yes" });
    expect(response.status).toBe(303);

    const after = await theirs.get("/settings/profile");
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login\?return_to=%2Fsettings%2Fprofile&expired=1$/);
    expect((await mine.get("/settings/profile")).status).toBe(200);
    expect(handlesIn((await mine.get("/settings/security")).text)).toEqual([current]);
  });

  it("a session created on one process works on the other", async () => {
    const user = await createUser(app.deps);
    const client = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    const onOther = new HttpClient(other.baseUrl);
    onOther.setCookie("latchkey.sid", client.cookie("latchkey.sid")!);
    const page = await onOther.get("/settings/profile");
    expect(page.status).toBe(200);
    expect(page.text).toContain(user.username);
  });

  it("signs out all other sessions and keeps this one", async () => {
    const user = await createUser(app.deps);
    const others = [await signIn(other.baseUrl, user, SAFARI_ON_IPHONE), await signIn(app.baseUrl, user, SAFARI_ON_IPHONE)];
    const mine = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/sessions/others/end", { confirmed: "yes" });
    expect(response.status).toBe(303);
    expect((await mine.get("/settings/security")).text).toContain("2 other sessions were signed out.");
    for (const client of others) expect((await client.get("/settings/profile")).status).toBe(303);
  });

  it("cannot end another user's session", async () => {
    const alice = await createUser(app.deps);
    const bob = await createUser(app.deps);
    const bobClient = await signIn(app.baseUrl, bob, SAFARI_ON_IPHONE);
    const bobHandle = handlesIn((await bobClient.get("/settings/security")).text)[0]!;
    const aliceClient = await signIn(app.baseUrl, alice, FIREFOX_ON_LINUX);
    await aliceClient.get("/settings/security");
    expect((await aliceClient.post(`/settings/security/sessions/${bobHandle}/end`, { confirmed: "yes" })).status).toBe(404);
    expect((await bobClient.get("/settings/profile")).status).toBe(200);
  });

  it("keeps the per-user index consistent when a session expires on its own", async () => {
    const user = await createUser(app.deps);
    const mine = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    const gone = await signIn(app.baseUrl, user, SAFARI_ON_IPHONE);
    // What Redis does when the TTL runs out.
    await app.deps.redis.del(`${app.redisPrefix}sess:${sessionIdOf(gone)}`);
    const page = await mine.get("/settings/security");
    expect(handlesIn(page.text)).toHaveLength(1);
    const indexed = await app.deps.redis.zrange(`${app.redisPrefix}user-sessions:${user.id}`, 0, -1);
    expect(indexed).toEqual([sessionIdOf(mine)]);
  });

  it("signing out removes the session from the index", async () => {
    const user = await createUser(app.deps);
    const client = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    await client.get("/settings/security");
    await client.post("/logout", {});
    expect(await app.deps.redis.zcard(`${app.redisPrefix}user-sessions:${user.id}`)).toBe(0);
  });
});

describe("step-up re-authentication", () => {
  it("sends a stale session to /reauth, rotates the session id on success and returns to the action", async () => {
    const user = await createUser(app.deps);
    const client = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    await signIn(app.baseUrl, user, SAFARI_ON_IPHONE);
    clock.advance(16 * MINUTE);
    await client.get("/settings/security");
    const stale = await client.post("/settings/security/sessions/others/end", { confirmed: "yes" }, { headers: { referer: `${app.baseUrl}/settings/security` } });
    expect(stale.location).toBe("/reauth?return_to=%2Fsettings%2Fsecurity");
    expect(handlesIn((await client.get("/settings/security")).text)).toHaveLength(2);

    const page = await client.get(stale.location!);
    expect(page.text).toContain("Confirm it is you");
    const wrong = await client.post("/reauth", { method: "password", password: "Wrong-password-1", return_to: "/settings/security" });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('id="field-password-error">That password is not correct.<');

    const before = sessionIdOf(client);
    const ok = await client.post("/reauth", { method: "password", password: user.password, return_to: "/settings/security" });
    expect(ok.location).toBe("/settings/security");
    expect(sessionIdOf(client)).not.toBe(before);
    expect(await app.deps.redis.exists(`${app.redisPrefix}sess:${before}`)).toBe(0);

    await client.get("/settings/security");
    const done = await client.post("/settings/security/sessions/others/end", { confirmed: "yes" });
    expect(done.location).toBe("/settings/security");
    expect(handlesIn((await client.get("/settings/security")).text)).toHaveLength(1);
  });

  it("never returns to another site after re-authentication", async () => {
    const user = await createUser(app.deps);
    const client = await signIn(app.baseUrl, user, FIREFOX_ON_LINUX);
    await client.get("/reauth?return_to=https://evil.example/");
    const ok = await client.post("/reauth", { method: "password", password: user.password, return_to: "https://evil.example/" });
    expect(ok.location).toBe("/settings/security");
  });
});
