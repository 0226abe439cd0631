import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { manualClock } from "../../src/platform/clock.js";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { sessionIdOf, type HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function ownerWithWorkspace(limits?: { sessionIdleMinutes?: number; sessionMaxDays?: number }) {
  const owner = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  if (limits) await app.deps.db.update(workspaces).set(limits).where(eq(workspaces.id, workspace.id));
  const client = await signedInClient(app.baseUrl, owner);
  return { owner, workspace, client };
}

async function expectSignedOut(client: HttpClient, path: string) {
  const response = await client.get(path);
  expect(response.status).toBe(303);
  expect(response.location).toBe(`/login?return_to=${encodeURIComponent(path)}&expired=1`);
  const login = await client.get(response.location!);
  expect(login.text).toContain("Your session expired. Sign in again to continue.");
}

async function sessionTtlSeconds(client: HttpClient) {
  return app.deps.redis.ttl(`${app.redisPrefix}sess:${sessionIdOf(client)}`);
}

describe("workspace session settings", () => {
  it("default to 10080 minutes and 30 days", async () => {
    const { workspace, client } = await ownerWithWorkspace();
    const page = await client.get(`/w/${workspace.slug}/settings`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="sessionIdleMinutes" type="number"\n    value="10080"');
    expect(page.text).toContain('value="30"');
  });

  it.each([
    [{ sessionIdleMinutes: "29" }, "sessionIdleMinutes", "Enter a whole number of minutes from 30 to 10080."],
    [{ sessionIdleMinutes: "10081" }, "sessionIdleMinutes", "Enter a whole number of minutes from 30 to 10080."],
    [{ sessionIdleMinutes: "" }, "sessionIdleMinutes", "Enter the inactive session duration (30–10080 minutes)."],
    [{ sessionIdleMinutes: "12.5" }, "sessionIdleMinutes", "Enter a whole number of minutes from 30 to 10080."],
    [{ sessionMaxDays: "0" }, "sessionMaxDays", "Enter a whole number of days from 1 to 30."],
    [{ sessionMaxDays: "31" }, "sessionMaxDays", "Enter a whole number of days from 1 to 30."],
    [{ sessionMaxDays: "ten" }, "sessionMaxDays", "Enter a whole number of days from 1 to 30."],
  ])("refuses %o with the range next to the field and saves nothing", async (overrides, field, message) => {
    const { workspace, client } = await ownerWithWorkspace();
    await client.get(`/w/${workspace.slug}/settings`);
    const response = await client.post(`/w/${workspace.slug}/settings/sessions`, { sessionIdleMinutes: "60", sessionMaxDays: "7", ...overrides });
    expect(response.status).toBe(422);
    expect(response.text).toContain(`id="field-${field}-error">${message}<`);
    const [stored] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, workspace.id));
    expect(stored).toMatchObject({ sessionIdleMinutes: 10080, sessionMaxDays: 30 });
  });

  it("saves valid limits and records who changed what", async () => {
    const { owner, workspace, client } = await ownerWithWorkspace();
    await client.get(`/w/${workspace.slug}/settings`);
    const response = await client.post(`/w/${workspace.slug}/settings/sessions`, { sessionIdleMinutes: "45", sessionMaxDays: "3" });
    expect(response.status).toBe(303);
    const [stored] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, workspace.id));
    expect(stored).toMatchObject({ sessionIdleMinutes: 45, sessionMaxDays: 3 });
    const [event] = await app.deps.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, workspace.id), eq(auditEvents.action, "workspace.session_limits_changed")));
    expect(event).toMatchObject({ actorId: owner.id, details: { before: { sessionIdleMinutes: 10080, sessionMaxDays: 30 }, after: { sessionIdleMinutes: 45, sessionMaxDays: 3 } } });
    expect((await client.get(response.location!)).text).toContain("Inactive 10080 → 45 min, maximum 30 → 3 days");
  });

  it("is for owners and admins only: a member gets 403 and no link", async () => {
    const { workspace } = await ownerWithWorkspace();
    const member = await createUser(app.deps);
    const admin = await createUser(app.deps);
    await addMember(app.deps, workspace, member, "member");
    await addMember(app.deps, workspace, admin, "admin");
    const memberClient = await signedInClient(app.baseUrl, member);
    await memberClient.post("/workspaces/switch", { slug: workspace.slug });
    const home = await memberClient.get(`/w/${workspace.slug}`);
    expect(home.text).not.toContain(`/w/${workspace.slug}/settings`);
    expect((await memberClient.get(`/w/${workspace.slug}/settings`)).status).toBe(403);
    expect((await memberClient.post(`/w/${workspace.slug}/settings/sessions`, { sessionIdleMinutes: "30", sessionMaxDays: "1" })).status).toBe(403);
    const adminClient = await signedInClient(app.baseUrl, admin);
    expect((await adminClient.get(`/w/${workspace.slug}/settings`)).status).toBe(200);
  });
});

describe("enforcement", () => {
  it("ends a session after the inactivity limit; activity keeps it alive", async () => {
    const { workspace, client } = await ownerWithWorkspace({ sessionIdleMinutes: 30 });
    const path = `/w/${workspace.slug}`;
    clock.advance(25 * MINUTE);
    expect((await client.get(path)).status).toBe(200);
    clock.advance(25 * MINUTE);
    expect((await client.get(path)).status).toBe(200);
    clock.advance(31 * MINUTE);
    await expectSignedOut(client, path);
  });

  it("holds the inactivity limit to the second: just under it the session lives, just over it it ends", async () => {
    const { workspace, client } = await ownerWithWorkspace({ sessionIdleMinutes: 45 });
    const path = `/w/${workspace.slug}/members`;
    clock.advance(45 * MINUTE - 1000);
    expect((await client.get(path)).status).toBe(200);
    clock.advance(45 * MINUTE + 1000);
    await expectSignedOut(client, path);
  });

  it("applies the inactivity limit of the workspace switched to", async () => {
    const { owner, workspace, client } = await ownerWithWorkspace();
    const strict = await createWorkspace(app.deps, owner);
    await app.deps.db.update(workspaces).set({ sessionIdleMinutes: 30 }).where(eq(workspaces.id, strict.id));
    await client.get("/workspaces");
    expect((await client.post("/workspaces/switch", { slug: strict.slug })).status).toBe(303);
    clock.advance(29 * MINUTE);
    expect((await client.get(`/w/${strict.slug}`)).status).toBe(200);
    clock.advance(31 * MINUTE);
    await expectSignedOut(client, `/w/${strict.slug}`);
  });

  it("ends a session at the maximum duration however active it is", async () => {
    const { workspace, client } = await ownerWithWorkspace({ sessionMaxDays: 1, sessionIdleMinutes: 10080 });
    const path = `/w/${workspace.slug}`;
    for (let hours = 0; hours < 23; hours += 6) {
      clock.advance(6 * 60 * MINUTE);
      expect((await client.get(path)).status).toBe(200);
    }
    clock.advance(2 * 60 * MINUTE);
    await expectSignedOut(client, path);
  });

  it("sets the Redis TTL to the inactivity limit, never beyond what remains of the maximum", async () => {
    const { workspace, client } = await ownerWithWorkspace({ sessionIdleMinutes: 30, sessionMaxDays: 1 });
    await client.get(`/w/${workspace.slug}`);
    const ttl = await sessionTtlSeconds(client);
    expect(ttl).toBeGreaterThan(30 * 60 - 5);
    expect(ttl).toBeLessThanOrEqual(30 * 60);

    await app.deps.db.update(workspaces).set({ sessionIdleMinutes: 10080 }).where(eq(workspaces.id, workspace.id));
    clock.advance(23 * 60 * MINUTE + 20 * MINUTE); // 40 minutes of the day remain
    await client.get(`/w/${workspace.slug}`);
    const capped = await sessionTtlSeconds(client);
    expect(capped).toBeGreaterThan(40 * 60 - 5);
    expect(capped).toBeLessThanOrEqual(40 * 60);
  });

  it("applies a shorter maximum to live sessions from their next request", async () => {
    const { workspace, client } = await ownerWithWorkspace();
    clock.advance(3 * DAY);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
    await client.get(`/w/${workspace.slug}/settings`);
    // The owner's own authentication is 3 days old: step up first.
    expect((await client.post(`/w/${workspace.slug}/settings/sessions`, { sessionIdleMinutes: "10080", sessionMaxDays: "2" })).location).toMatch(/^\/reauth/);
    await app.deps.db.update(workspaces).set({ sessionMaxDays: 2 }).where(eq(workspaces.id, workspace.id));
    await expectSignedOut(client, `/w/${workspace.slug}`);
  });

  it("switching workspace applies the new workspace's limits, measured from the original sign-in", async () => {
    const { owner, workspace, client } = await ownerWithWorkspace();
    const strict = await createWorkspace(app.deps, owner);
    await app.deps.db.update(workspaces).set({ sessionMaxDays: 1 }).where(eq(workspaces.id, strict.id));
    clock.advance(2 * DAY);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
    await client.post("/workspaces/switch", { slug: strict.slug });
    await expectSignedOut(client, `/w/${strict.slug}`);
  });

  it("treats a tampered or unknown session cookie as signed out, without an error", async () => {
    const { workspace, client } = await ownerWithWorkspace();
    const sid = sessionIdOf(client);
    client.setCookie("latchkey.sid", encodeURIComponent(`s:${sid}.forged-signature`));
    const tampered = await client.get(`/w/${workspace.slug}`);
    expect(tampered.status).toBe(303);
    expect(tampered.location).toMatch(/^\/login/);
    client.setCookie("latchkey.sid", "garbage");
    expect((await client.get(`/w/${workspace.slug}`)).location).toMatch(/^\/login/);
  });
});
