import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { memberships, type Workspace } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, signedInClient, uniqueName } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Account = Awaited<ReturnType<typeof createUser>>;

async function team() {
  const owner = await createUser(app.deps);
  const admin = await createUser(app.deps);
  const member = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  await addMember(app.deps, workspace, admin, "admin");
  await addMember(app.deps, workspace, member, "member");
  return { owner, admin, member, workspace };
}

async function roleOf(workspace: Workspace, user: Account) {
  const [row] = await app.deps.db.select().from(memberships).where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.userId, user.id)));
  return row?.role ?? null;
}

async function on(client: HttpClient, workspace: Workspace) {
  const page = await client.get(`/w/${workspace.slug}/members`);
  expect(page.status).toBe(200);
  return page;
}

describe("the member list", () => {
  it("searches by prefix, sorts, and pages by keyset", async () => {
    const { owner, workspace } = await team();
    const prefix = uniqueName("m").toLowerCase();
    for (let i = 0; i < 27; i++) await addMember(app.deps, workspace, await createUser(app.deps, { username: `${prefix}_${String(i).padStart(2, "0")}` }));
    const client = await signedInClient(app.baseUrl, owner);
    const names = (text: string) => [...text.matchAll(/<tr data-member="([^"]+)">/g)].map((m) => m[1]);
    const first = await client.get(`/w/${workspace.slug}/members?q=${prefix.toUpperCase()}`);
    expect(names(first.text)).toHaveLength(25);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text)![1]!.replace(/&amp;/g, "&");
    expect(names((await client.get(next)).text)).toEqual([`${prefix}_25`, `${prefix}_26`]);
    const desc = names((await client.get(`/w/${workspace.slug}/members?q=${prefix}&sort=username&dir=desc`)).text);
    expect(desc[0]).toBe(`${prefix}_26`);
    const byRole = names((await client.get(`/w/${workspace.slug}/members?sort=role`)).text);
    expect(byRole[0]).toBe(owner.username);
    // A forged cursor is a 4xx, not a database error.
    const forged = Buffer.from(JSON.stringify(["not-a-date", owner.id])).toString("base64url");
    expect((await client.get(`/w/${workspace.slug}/members?sort=joined&after=${forged}`)).status).toBe(422);
  });

  it("shows when a member was last active in this workspace (live sessions), and a blank for one never signed into it", async () => {
    const { owner, member, workspace } = await team();
    const client = await signedInClient(app.baseUrl, owner);
    expect((await client.post("/workspaces/switch", { slug: workspace.slug })).status).toBe(303);
    const page = await on(client, workspace);
    const lastActive = (username: string) => new RegExp(`<tr data-member="${username}">[\\s\\S]*?<td data-label="Last active">([\\s\\S]*?)</td>`).exec(page.text)![1];
    // A <time> (relative, the exact time in the viewer's zone on hover).
    expect(lastActive(owner.username)).toMatch(/^<time datetime="[^"]+" title="\w{3} \d{1,2}, \d{4}, \d{2}:\d{2} UTC">[^<]+<\/time>$/);
    expect(lastActive(member.username)).toBe("—");
  });

  it("members see a read-only list: no actions, no invitations, and every change is refused", async () => {
    const { admin, member, workspace } = await team();
    const client = await signedInClient(app.baseUrl, member);
    const page = await on(client, workspace);
    expect(page.text).toContain(admin.username);
    expect(page.text).not.toContain("/remove");
    expect(page.text).not.toContain("Invite by email");
    expect((await client.post(`/w/${workspace.slug}/members/invitations`, { email: "x@example.test" })).status).toBe(403);
    expect((await client.post(`/w/${workspace.slug}/members/${admin.id}/remove`, { confirmed: "yes" })).status).toBe(403);
    expect((await client.post(`/w/${workspace.slug}/members/${admin.id}/role`, { role: "member", expected: "admin" })).status).toBe(403);
    expect(await roleOf(workspace, admin)).toBe("admin");
  });
});

describe("roles", () => {
  it("the owner makes a member an admin and back", async () => {
    const { owner, member, workspace } = await team();
    const client = await signedInClient(app.baseUrl, owner);
    await on(client, workspace);
    expect((await client.post(`/w/${workspace.slug}/members/${member.id}/role`, { role: "admin", expected: "member" })).status).toBe(303);
    expect(await roleOf(workspace, member)).toBe("admin");
    expect((await client.post(`/w/${workspace.slug}/members/${member.id}/role`, { role: "member", expected: "admin" })).status).toBe(303);
    expect(await roleOf(workspace, member)).toBe("member");
  });

  it("only the owner grants admin; nobody changes the owner's role or their own", async () => {
    const { owner, admin, member, workspace } = await team();
    const adminClient = await signedInClient(app.baseUrl, admin);
    await on(adminClient, workspace);
    const grant = await adminClient.post(`/w/${workspace.slug}/members/${member.id}/role`, { role: "admin", expected: "member" });
    expect(grant.status).toBe(403);
    expect(grant.text).toContain("Only the workspace&#39;s owner can make someone an admin.");
    expect(await roleOf(workspace, member)).toBe("member");
    const ownerRole = await adminClient.post(`/w/${workspace.slug}/members/${owner.id}/role`, { role: "member", expected: "owner" });
    expect(ownerRole.status).toBe(409);
    const ownerClient = await signedInClient(app.baseUrl, owner);
    await on(ownerClient, workspace);
    expect((await ownerClient.post(`/w/${workspace.slug}/members/${owner.id}/role`, { role: "admin", expected: "owner" })).status).toBe(409);
    expect(await roleOf(workspace, owner)).toBe("owner");
    // Admins invite members, not admins.
    expect((await adminClient.post(`/w/${workspace.slug}/members/invitations`, { email: `${uniqueName()}@example.test`, role: "admin" })).status).toBe(403);
  });

  it("a stale role (changed elsewhere meanwhile) is reported, not overwritten", async () => {
    const { owner, member, workspace } = await team();
    const client = await signedInClient(app.baseUrl, owner);
    await on(client, workspace);
    await app.deps.db.update(memberships).set({ role: "admin" }).where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.userId, member.id)));
    const response = await client.post(`/w/${workspace.slug}/members/${member.id}/role`, { role: "admin", expected: "member" });
    expect(response.status).toBe(409);
    expect(response.text).toContain("was changed elsewhere meanwhile");
  });
});

describe("removing members", () => {
  it("ends the member's sessions signed into this workspace only", async () => {
    const { owner, member, workspace } = await team();
    const other = await createWorkspace(app.deps, await createUser(app.deps));
    await addMember(app.deps, other, member);
    const inThis = await signedInClient(app.baseUrl, member);
    expect((await inThis.post("/workspaces/switch", { slug: workspace.slug })).status).toBe(303);
    const inOther = await signedInClient(app.baseUrl, member);
    expect((await inOther.post("/workspaces/switch", { slug: other.slug })).status).toBe(303);
    const sessions = await app.deps.sessionIndex.list(member.id, Date.now());
    const client = await signedInClient(app.baseUrl, owner);
    await on(client, workspace);
    const response = await client.post(`/w/${workspace.slug}/members/${member.id}/remove`, { confirmed: "yes" });
    expect(response.status).toBe(303);
    expect(await roleOf(workspace, member)).toBeNull();
    const left = await app.deps.sessionIndex.list(member.id, Date.now());
    const intoThis = sessions.filter((s) => s.data.workspaceId === workspace.id).map((s) => s.sid);
    expect(intoThis.length).toBeGreaterThan(0);
    expect(left.map((s) => s.sid).filter((sid) => intoThis.includes(sid))).toEqual([]);
    expect(left.length).toBe(sessions.length - intoThis.length);
    expect((await inThis.get(`/w/${workspace.slug}`)).status).toBe(303);
    expect((await inOther.get(`/w/${other.slug}`)).status).toBe(200);
    await app.mail.waitFor(member.email, /You were removed from/);
  });

  it("the owner is never removed (last owner); admins remove members but not admins", async () => {
    const { owner, admin, member, workspace } = await team();
    const adminClient = await signedInClient(app.baseUrl, admin);
    await on(adminClient, workspace);
    const ownerRemoval = await adminClient.post(`/w/${workspace.slug}/members/${owner.id}/remove`, { confirmed: "yes" });
    expect(ownerRemoval.status).toBe(409);
    expect(ownerRemoval.text).toContain("The owner cannot be removed. Transfer ownership first.");
    const ownerClient = await signedInClient(app.baseUrl, owner);
    await on(ownerClient, workspace);
    expect((await ownerClient.post(`/w/${workspace.slug}/members/${owner.id}/remove`, { confirmed: "yes" })).status).toBe(409);
    const peer = await createUser(app.deps);
    await addMember(app.deps, workspace, peer, "admin");
    expect((await adminClient.post(`/w/${workspace.slug}/members/${peer.id}/remove`, { confirmed: "yes" })).status).toBe(403);
    expect((await adminClient.post(`/w/${workspace.slug}/members/${member.id}/remove`, { confirmed: "yes" })).status).toBe(303);
    expect(await roleOf(workspace, owner)).toBe("owner");
    expect(await roleOf(workspace, peer)).toBe("admin");
  });

  it("ids from another workspace are 404 for every action", async () => {
    const { owner, workspace } = await team();
    const elsewhere = await team();
    const client = await signedInClient(app.baseUrl, owner);
    await on(client, workspace);
    for (const action of ["remove", "role", "two-factor/reset"]) {
      const response = await client.post(`/w/${workspace.slug}/members/${elsewhere.member.id}/${action}`, { confirmed: "yes", role: "admin", expected: "member" });
      expect(response.status, action).toBe(404);
    }
    expect(await roleOf(elsewhere.workspace, elsewhere.member)).toBe("member");
    // And another workspace's page is 404 for a non-member.
    expect((await client.get(`/w/${elsewhere.workspace.slug}/members`)).status).toBe(404);
  });

  it("an instance administrator adds an existing account directly; others cannot", async () => {
    const { owner, workspace } = await team();
    const instanceAdmin = await createUser(app.deps, { isInstanceAdmin: true });
    await addMember(app.deps, workspace, instanceAdmin, "admin");
    const newcomer = await createUser(app.deps);
    const ownerClient = await signedInClient(app.baseUrl, owner);
    await on(ownerClient, workspace);
    expect((await ownerClient.post(`/w/${workspace.slug}/members/add`, { login: newcomer.username })).status).toBe(403);
    const client = await signedInClient(app.baseUrl, instanceAdmin);
    const page = await on(client, workspace);
    expect(page.text).toContain("Add an existing account");
    const unknown = await client.post(`/w/${workspace.slug}/members/add`, { login: "nobody-by-that-name" }, { htmx: true });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("No active account has that username or email.");
    expect((await client.post(`/w/${workspace.slug}/members/add`, { login: newcomer.email })).status).toBe(303);
    expect(await roleOf(workspace, newcomer)).toBe("member");
    const twice = await client.post(`/w/${workspace.slug}/members/add`, { login: newcomer.username }, { htmx: true });
    expect(twice.status).toBe(409);
  });
});
