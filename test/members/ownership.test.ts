import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { memberships, type Workspace } from "../../src/modules/workspaces/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-24T09:00:00Z"));
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function rolesIn(workspace: Workspace) {
  const rows = await app.deps.db.select().from(memberships).where(eq(memberships.workspaceId, workspace.id));
  return Object.fromEntries(rows.map((row) => [row.userId, row.role]));
}

async function setup() {
  const owner = await createUser(app.deps);
  const heir = await createUser(app.deps);
  const admin = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  await addMember(app.deps, workspace, heir, "member");
  await addMember(app.deps, workspace, admin, "admin");
  const client = await signedInClient(app.baseUrl, owner);
  return { owner, heir, admin, workspace, client };
}

describe("ownership transfer", () => {
  it("the owner picks a member and types the name: member → owner, owner → admin, both emailed, recorded", async () => {
    const { owner, heir, workspace, client } = await setup();
    const settings = await client.get(`/w/${workspace.slug}/settings`);
    expect(settings.text).toContain(`/w/${workspace.slug}/settings/ownership`);
    const page = await client.get(`/w/${workspace.slug}/settings/ownership`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(heir.username);

    const wrongName = await client.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: heir.id, confirmName: workspace.name.toUpperCase() }, { htmx: true });
    expect(wrongName.status).toBe(422);
    expect(wrongName.text).toContain("Type the workspace&#39;s name exactly as shown.");
    expect((await rolesIn(workspace))[owner.id]).toBe("owner");

    const response = await client.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: heir.id, confirmName: workspace.name });
    expect(response.status).toBe(303);
    expect(await rolesIn(workspace)).toMatchObject({ [owner.id]: "admin", [heir.id]: "owner" });
    await app.mail.waitFor(owner.email, /Ownership of .* was transferred/, { text: /You are now an admin/ });
    await app.mail.waitFor(heir.email, /Ownership of .* was transferred/, { text: /You are now its owner/ });
    const events = await app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "workspace.ownership_transferred"), eq(auditEvents.workspaceId, workspace.id)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: owner.id, subjectId: heir.id });
    // The former owner is an admin now: the page is closed to them.
    expect((await client.get(`/w/${workspace.slug}/settings/ownership`)).status).toBe(403);
  });

  it("is the owner's only: admins and members are refused; another workspace's member is 404; it needs a fresh sign-in", async () => {
    const { owner, heir, admin, workspace, client } = await setup();
    const adminClient = await signedInClient(app.baseUrl, admin);
    expect((await adminClient.get(`/w/${workspace.slug}/settings/ownership`)).status).toBe(403);
    expect((await adminClient.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: admin.id, confirmName: workspace.name })).status).toBe(403);
    const stranger = await createUser(app.deps);
    await createWorkspace(app.deps, stranger);
    await client.get(`/w/${workspace.slug}/settings/ownership`);
    expect((await client.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: stranger.id, confirmName: workspace.name })).status).toBe(404);
    clock.advance(16 * 60_000);
    const stale = await client.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: heir.id, confirmName: workspace.name });
    expect(stale.status).toBe(303);
    expect(stale.location).toMatch(/^\/reauth/);
    expect(await rolesIn(workspace)).toMatchObject({ [owner.id]: "owner", [heir.id]: "member", [admin.id]: "admin" });
  });

  it("concurrent transfers to different members leave exactly one owner", async () => {
    const { owner, heir, admin, workspace, client } = await setup();
    const second = await signedInClient(app.baseUrl, owner);
    await client.get(`/w/${workspace.slug}/settings/ownership`);
    await second.get(`/w/${workspace.slug}/settings/ownership`);
    const responses = await Promise.all([
      ...Array.from({ length: 4 }, () => client.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: heir.id, confirmName: workspace.name })),
      ...Array.from({ length: 4 }, () => second.post(`/w/${workspace.slug}/settings/ownership`, { confirmed: "yes", userId: admin.id, confirmName: workspace.name })),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    // Those that lost the race found they no longer own it (or, having
    // lost the membership's owner role before the page check, were refused).
    expect(statuses.every((status) => status === 303 || status === 409 || status === 403)).toBe(true);
    const roles = await rolesIn(workspace);
    expect(Object.values(roles).filter((role) => role === "owner")).toHaveLength(1);
    expect(roles[owner.id]).toBe("admin");
    expect([roles[heir.id], roles[admin.id]]).toContain("owner");
  });
});
