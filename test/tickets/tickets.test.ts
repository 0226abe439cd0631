import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tickets } from "../../src/modules/tickets/tables.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function setup() {
  const owner = await createUser(app.deps);
  const admin = await createUser(app.deps);
  const member = await createUser(app.deps);
  const other = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  await addMember(app.deps, workspace, admin, "admin");
  await addMember(app.deps, workspace, member, "member");
  await addMember(app.deps, workspace, other, "member");
  return { owner, admin, member, other, workspace };
}

const ticketIdFrom = (location: string | null | undefined) => /\/tickets\/([0-9a-f-]{36})$/.exec(location ?? "")![1]!;

describe("tickets", () => {
  it("a member opens a ticket and sees only their own; an admin sees all, replies and closes", async () => {
    const { admin, member, other, workspace } = await setup();
    const memberClient = await signedInClient(app.baseUrl, member);
    const base = `/w/${workspace.slug}/tickets`;

    const empty = await memberClient.post(base, { subject: "", body: "" }, { htmx: true });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("Give the ticket a subject.");
    expect(await app.deps.db.select().from(tickets).where(eq(tickets.workspaceId, workspace.id))).toHaveLength(0);

    const opened = await memberClient.post(base, { subject: "Printer on fire", body: "Please help" });
    expect(opened.status).toBe(303);
    const ticketId = ticketIdFrom(opened.location);
    const mine = await memberClient.get(base);
    expect(mine.text).toContain("Printer on fire");

    const otherClient = await signedInClient(app.baseUrl, other);
    expect((await otherClient.get(base)).text).not.toContain("Printer on fire");
    expect((await otherClient.get(`${base}/${ticketId}`)).status).toBe(404);
    // Members neither reply nor close, even their own.
    expect((await memberClient.post(`${base}/${ticketId}/replies`, { body: "bump" })).status).toBe(403);
    expect((await memberClient.post(`${base}/${ticketId}/close`, {})).status).toBe(403);

    const adminClient = await signedInClient(app.baseUrl, admin);
    const all = await adminClient.get(base);
    expect(all.text).toContain("Printer on fire");
    expect(all.text).toContain(member.username);
    expect((await adminClient.post(`${base}/${ticketId}/replies`, { body: "Fire brigade called" })).status).toBe(303);
    expect((await adminClient.post(`${base}/${ticketId}/close`, {})).status).toBe(303);

    const shown = await memberClient.get(`${base}/${ticketId}`);
    expect(shown.text).toContain("Fire brigade called");
    expect(shown.text).toMatch(/data-testid="ticket-status">closed/);
    const [row] = await app.deps.db.select().from(tickets).where(eq(tickets.id, ticketId));
    expect(row).toMatchObject({ status: "closed" });
    expect(row!.closedAt).toBeInstanceOf(Date);

    const late = await adminClient.post(`${base}/${ticketId}/replies`, { body: "one more" }, { htmx: true });
    expect(late.status).toBe(409);
  });

  it("another workspace's ticket is 404 even for its admins", async () => {
    const first = await setup();
    const second = await setup();
    const memberClient = await signedInClient(app.baseUrl, first.member);
    const opened = await memberClient.post(`/w/${first.workspace.slug}/tickets`, { subject: "Mine", body: "x" });
    const ticketId = ticketIdFrom(opened.location);
    const stranger = await signedInClient(app.baseUrl, second.owner);
    expect((await stranger.get(`/w/${second.workspace.slug}/tickets/${ticketId}`)).status).toBe(404);
    expect((await stranger.post(`/w/${second.workspace.slug}/tickets/${ticketId}/close`, {})).status).toBe(404);
  });
});
