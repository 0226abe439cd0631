import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { invitations } from "../../src/modules/invitations/tables.js";
import { hashInvitationToken } from "../../src/modules/invitations/tokens.js";
import { users } from "../../src/modules/users/tables.js";
import { memberships, type Workspace } from "../../src/modules/workspaces/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { writeRegistrationOpen } from "../../src/modules/instance-settings/repo.js";
import { addMember, createUser, createWorkspace, signedInClient, uniqueName } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-24T09:00:00Z"));
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function setup() {
  const owner = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  const client = await signedInClient(app.baseUrl, owner);
  await client.get(`/w/${workspace.slug}/members`);
  return { owner, workspace, client };
}

async function invite(client: HttpClient, workspace: Workspace, email: string, role = "member") {
  const response = await client.post(`/w/${workspace.slug}/members/invitations`, { email, role });
  expect(response.status).toBe(303);
  return linkFor(email);
}

// The invitation link in the mail to `email` (one that is not `except`).
async function linkFor(email: string, except?: string) {
  const text = except ? new RegExp(`/invitations/(?!${except.split("/").at(-1)})`) : undefined;
  const mail = await app.mail.waitFor(email, /You are invited to/, { text });
  return new URL(/(http\S+\/invitations\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!).pathname;
}

const memberRole = async (workspace: Workspace, userId: string) =>
  (await app.deps.db.select().from(memberships).where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.userId, userId))))[0]?.role ?? null;

describe("invitations", () => {
  it("are stored hashed; accepting needs signing in with the invited address, and works once", async () => {
    const { workspace, client } = await setup();
    const invitee = await createUser(app.deps);
    const path = await invite(client, workspace, invitee.email.toUpperCase(), "admin");
    const token = path.split("/").at(-1)!;
    const [row] = await app.deps.db.select().from(invitations).where(eq(invitations.workspaceId, workspace.id));
    expect(row!.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime() - clock.now().getTime()).toBe(7 * 86_400_000);

    // Signed out: the page offers sign-in and registration.
    const visitor = new HttpClient(app.baseUrl);
    const page = await visitor.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Join ${workspace.name}`);
    expect(page.text).toContain(`/login?return_to=${encodeURIComponent(path)}`);

    // Another account cannot accept it.
    const stranger = await signedInClient(app.baseUrl, await createUser(app.deps));
    expect((await stranger.get(path)).text).toContain("Sign out, then sign in or register with");
    const refused = await stranger.post(`${path}/accept`, {});
    expect(refused.status).toBe(403);

    const own = await signedInClient(app.baseUrl, invitee);
    expect((await own.get(path)).text).toContain("Accept and join");
    const accepted = await own.post(`${path}/accept`, {});
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe(`/w/${workspace.slug}`);
    expect(await memberRole(workspace, invitee.id)).toBe("admin");
    const again = await own.post(`${path}/accept`, {});
    expect(again.status).toBe(410);
    expect((await visitor.get(path)).text).toContain("This invitation was already used.");
  });

  it("a new person registers with the invited address, even with registration closed", async () => {
    const { workspace, client } = await setup();
    await writeRegistrationOpen(app.deps.db, false, null, clock.now());
    try {
      const email = `${uniqueName("newbie")}@example.test`;
      const path = await invite(client, workspace, email);
      const visitor = new HttpClient(app.baseUrl);
      await visitor.get(path);
      const weak = await visitor.post(`${path}/register`, { username: uniqueName("n"), password: "short", confirmPassword: "short" }, { htmx: true });
      expect(weak.status, weak.text.slice(0, 3000)).toBe(422);
      expect(weak.text).toContain("Use at least 8 characters.");
      const username = uniqueName("newbie");
      const response = await visitor.post(`${path}/register`, { username, password: "Joined-By-Link-64", confirmPassword: "Joined-By-Link-64", email: "attacker@example.test" });
      expect(response.status).toBe(303);
      expect(response.location).toBe(`/w/${workspace.slug}`);
      const [user] = await app.deps.db.select().from(users).where(eq(users.username, username));
      expect(user!.email).toBe(email);
      expect(user!.emailVerifiedAt).not.toBeNull();
      expect(await memberRole(workspace, user!.id)).toBe("member");
      expect((await visitor.get(`/w/${workspace.slug}/members`)).status).toBe(200);
      expect((await new HttpClient(app.baseUrl).get("/register")).status).toBe(403);
    } finally {
      await writeRegistrationOpen(app.deps.db, true, null, clock.now());
    }
  });

  it("expire after 7 days; resending replaces the link and restarts the clock; revoking ends it", async () => {
    const { workspace, client } = await setup();
    const invitee = await createUser(app.deps);
    const oldPath = await invite(client, workspace, invitee.email);
    const [row] = await app.deps.db.select().from(invitations).where(eq(invitations.workspaceId, workspace.id));
    clock.advance(7 * 86_400_000);
    const visitor = new HttpClient(app.baseUrl);
    const expired = await visitor.get(oldPath);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("This invitation has expired.");

    await client.get(`/w/${workspace.slug}/members`);
    // Still open (not accepted): inviting the address again points to resending.
    const duplicate = await client.post(`/w/${workspace.slug}/members/invitations`, { email: invitee.email }, { htmx: true });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain("already has an open invitation");
    expect((await client.post(`/w/${workspace.slug}/members/invitations/${row!.id}/resend`, {})).status).toBe(303);
    const newPath = await linkFor(invitee.email, oldPath);
    expect(newPath).not.toBe(oldPath);
    expect((await visitor.get(oldPath)).status).toBe(404);
    expect((await visitor.get(newPath)).status).toBe(200);

    await client.get(`/w/${workspace.slug}/members`);
    expect((await client.post(`/w/${workspace.slug}/members/invitations/${row!.id}/revoke`, { confirmed: "yes" })).status).toBe(303);
    const revoked = await visitor.get(newPath);
    expect(revoked.status).toBe(410);
    expect(revoked.text).toContain("This invitation was revoked.");
    const own = await signedInClient(app.baseUrl, invitee);
    expect((await own.post(`${newPath}/accept`, {})).status).toBe(410);
    expect(await memberRole(workspace, invitee.id)).toBeNull();
  });

  it("refuses to invite a member; another workspace's invitation ids are 404; unknown links are 404", async () => {
    const { owner, workspace, client } = await setup();
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, member);
    const response = await client.post(`/w/${workspace.slug}/members/invitations`, { email: member.email }, { htmx: true });
    expect(response.status).toBe(409);
    expect(response.text).toContain("already a member");

    const other = await setup();
    await invite(other.client, other.workspace, `${uniqueName()}@example.test`);
    const [foreign] = await app.deps.db.select().from(invitations).where(eq(invitations.workspaceId, other.workspace.id));
    await client.get(`/w/${workspace.slug}/members`);
    expect((await client.post(`/w/${workspace.slug}/members/invitations/${foreign!.id}/revoke`, { confirmed: "yes" })).status).toBe(404);
    expect((await client.post(`/w/${workspace.slug}/members/invitations/${foreign!.id}/resend`, {})).status).toBe(404);
    const [still] = await app.deps.db.select().from(invitations).where(eq(invitations.id, foreign!.id));
    expect(still!.revokedAt).toBeNull();
    expect(owner.id).toBeTruthy();
    expect((await new HttpClient(app.baseUrl).get(`/invitations/${"A".repeat(43)}`)).status).toBe(404);
    expect((await new HttpClient(app.baseUrl).get("/invitations/short")).status).toBe(404);
  });
});
