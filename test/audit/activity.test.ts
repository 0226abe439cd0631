import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { SEEDED } from "./produced-events.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function rows(html: string): string[] {
  const body = /data-testid="activity-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

function olderLink(html: string): string | null {
  const href = /href="([^"]+)" data-testid="activity-older"/.exec(html)?.[1];
  return href ? href.replace(/&amp;/g, "&") : null;
}

// Rows written straight to the table, for volume and chosen dates.
// Marked as seeded: they prove nothing about the catalogue (produced-events.ts).
async function seed(values: Array<Partial<typeof auditEvents.$inferInsert> & { action: string }>) {
  await app.deps.db.insert(auditEvents).values(values.map((value) => ({ ...value, details: { ...value.details, ...SEEDED } })));
}

describe("/settings/security/activity", () => {
  it("shows only my events, filtered by type, person and UTC day range", async () => {
    const me = await createUser(app.deps);
    const admin = await createUser(app.deps);
    const other = await createUser(app.deps);
    await seed([
      { action: "auth.signed_in", actorId: me.id, subjectId: me.id, ip: "192.0.2.1", createdAt: new Date("2026-03-01T10:00:00Z") },
      { action: "password.changed", actorId: me.id, subjectId: me.id, createdAt: new Date("2026-03-02T23:59:00Z") },
      { action: "password.changed", actorId: admin.id, subjectId: me.id, createdAt: new Date("2026-03-03T00:00:00Z") },
      { action: "auth.signed_in", actorId: other.id, subjectId: other.id, createdAt: new Date("2026-03-02T12:00:00Z") },
    ]);
    const client = await signedInClient(app.baseUrl, me);
    const all = rows((await client.get("/settings/security/activity")).text);
    expect(all.some((row) => row.includes("192.0.2.1"))).toBe(true);
    expect(all.some((row) => row.includes(other.username))).toBe(false);

    const changed = rows((await client.get("/settings/security/activity?type=password.changed")).text);
    expect(changed).toHaveLength(2);
    expect(changed[0]).toContain(`${admin.username} (someone else)`);

    const byAdmin = rows((await client.get(`/settings/security/activity?person=${admin.username.toUpperCase()}`)).text);
    expect(byAdmin).toHaveLength(1);
    expect(byAdmin[0]).toContain("Password changed");

    // "to" is inclusive of its whole UTC day; "from" starts at its midnight.
    const dayPage = (await client.get("/settings/security/activity?from=2026-03-02&to=2026-03-02")).text;
    const day = rows(dayPage);
    expect(day).toHaveLength(1);
    // Shown relative, with the exact time (the account's zone: UTC here) on hover.
    expect(dayPage).toContain('<time datetime="2026-03-02T23:59:00.000Z" title="Mar 2, 2026, 23:59 UTC">');
    expect(rows((await client.get("/settings/security/activity?person=nobody_like_this")).text)).toEqual([]);
  });

  it("pages with a keyset cursor that keeps the filters", async () => {
    const me = await createUser(app.deps);
    await seed(Array.from({ length: 60 }, (_, i) => ({ action: "password.changed", actorId: me.id, subjectId: me.id, ip: `198.51.100.${i}` })));
    await seed([{ action: "auth.signed_in", actorId: me.id, subjectId: me.id }]);
    const client = await signedInClient(app.baseUrl, me);
    const first = await client.get("/settings/security/activity?type=password.changed");
    expect(rows(first.text)).toHaveLength(50);
    const next = olderLink(first.text);
    expect(next).toMatch(/^\/settings\/security\/activity\?type=password.changed&cursor=\d+$/);
    const second = await client.get(next!);
    const secondRows = rows(second.text);
    expect(secondRows).toHaveLength(10);
    expect(secondRows.every((row) => row.includes("Password changed"))).toBe(true);
    expect(olderLink(second.text)).toBeNull();
    const ips = [...rows(first.text), ...secondRows].map((row) => /198\.51\.100\.(\d+)/.exec(row)![1]);
    expect(new Set(ips).size).toBe(60);
    expect(ips[0]).toBe("59");
  });

  it("refuses invalid filters with 422 and the message next to the field (page and htmx fragment)", async () => {
    const me = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, me);
    const badType = await client.get("/settings/security/activity?type=made.up");
    expect(badType.status).toBe(422);
    expect(badType.text).toMatch(/id="field-type-error">Choose an event type from the list\./);
    const badDay = await client.get("/settings/security/activity?from=2026-02-30");
    expect(badDay.status).toBe(422);
    expect(badDay.text).toMatch(/id="field-from-error">from must be a date like 2026-01-31\./);
    const reversed = await client.request("GET", "/settings/security/activity?from=2026-03-05&to=2026-03-01", { headers: { "hx-request": "true" } });
    expect(reversed.status).toBe(422);
    expect(reversed.text).toMatch(/id="field-to-error">to must be on or after from\./);
    expect(reversed.text).not.toContain("<html");
    expect((await client.get("/settings/security/activity?cursor=abc")).status).toBe(422);
    expect((await client.get("/settings/security/activity.csv?to=yesterday")).status).toBe(422);
  });

  it("sends the signed-out visitor to sign in", async () => {
    const response = await new HttpClient(app.baseUrl).get("/settings/security/activity");
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/^\/login/);
  });
});

describe("/w/:slug/activity", () => {
  it("shows owners and admins the workspace's events, members' sign-ins included; members get 403, strangers 404", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const admin = await createUser(app.deps);
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, admin, "admin");
    await addMember(app.deps, workspace, member, "member");
    const stranger = await createUser(app.deps);
    const elsewhere = await createWorkspace(app.deps, stranger);
    await seed([{ action: "workspace.created", actorId: stranger.id, workspaceId: elsewhere.id }]);
    const memberClient = await signedInClient(app.baseUrl, member);
    await memberClient.get(`/w/${workspace.slug}`);

    const adminClient = await signedInClient(app.baseUrl, admin);
    const page = await adminClient.get(`/w/${workspace.slug}/activity`);
    expect(page.status).toBe(200);
    const all = rows(page.text);
    expect(all.some((row) => row.includes(`${member.username} Signed in`))).toBe(true);
    expect(all.some((row) => row.includes(stranger.username))).toBe(false);
    const filtered = rows((await adminClient.get(`/w/${workspace.slug}/activity?person=${member.username}&type=auth.signed_in`)).text);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((row) => row.includes(member.username))).toBe(true);
    const csv = await adminClient.get(`/w/${workspace.slug}/activity.csv`);
    expect(csv.text).toContain(`auth.signed_in,Signed in,${member.username}`);
    expect(csv.text).not.toContain(stranger.username);

    expect((await memberClient.get(`/w/${workspace.slug}/activity`)).status).toBe(403);
    expect((await memberClient.get(`/w/${workspace.slug}/activity.csv`)).status).toBe(403);
    const strangerClient = await signedInClient(app.baseUrl, stranger);
    expect((await strangerClient.get(`/w/${workspace.slug}/activity`)).status).toBe(404);
  });
});

describe("/admin/activity", () => {
  it("shows instance administrators everything, and nobody else", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const someone = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, someone);
    await seed([{ action: "workspace.created", actorId: someone.id, subjectId: someone.id, workspaceId: workspace.id }]);
    const adminClient = await signedInClient(app.baseUrl, admin);
    const page = rows((await adminClient.get(`/admin/activity?person=${someone.username}`)).text);
    expect(page).toHaveLength(1);
    expect(page[0]).toContain(workspace.slug);
    const csv = await adminClient.get(`/admin/activity.csv?person=${someone.username}`);
    expect(csv.text.split("\r\n").filter(Boolean)).toHaveLength(2);

    const plain = await signedInClient(app.baseUrl, someone);
    expect((await plain.get("/admin/activity")).status).toBe(403);
    expect((await plain.get("/admin/activity.csv")).status).toBe(403);
  });
});
