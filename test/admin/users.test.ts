import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { accountCancellations } from "../../src/modules/cancellation/index.js";
import { users } from "../../src/modules/users/tables.js";
import { memberships } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient, uniqueName } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

let app: TestApp;
let admin: Awaited<ReturnType<typeof createUser>>;
let client: HttpClient;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createUser(app.deps, { isInstanceAdmin: true });
  client = await signedInClient(app.baseUrl, admin);
});
afterAll(() => app.close());

const canSignIn = async (login: string, password: string) => (await new HttpClient(app.baseUrl).submit("/login", "/login", { login, password })).status === 303;
const events = (action: string, subjectId: string) => app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, action), eq(auditEvents.subjectId, subjectId)));

async function onList(path = "/admin/users") {
  const page = await client.get(path);
  expect(page.status).toBe(200);
  return page;
}

describe("the list", () => {
  it("finds accounts by username or email prefix, case-insensitively, a keyset page at a time", async () => {
    const prefix = uniqueName("pg").toLowerCase();
    for (let i = 0; i < 52; i++) await createUser(app.deps, { username: `${prefix}_${String(i).padStart(2, "0")}` });
    const byEmail = await createUser(app.deps, { username: uniqueName("zz"), email: `${prefix}.mail@example.test` });

    const first = await onList(`/admin/users?q=${prefix.toUpperCase()}`);
    const names = (text: string) => [...text.matchAll(/<tr data-user="[^"]+">\s*<td id="user-[^"]+-username"[^>]*>\s*<a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    const page1 = names(first.text);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toBe(`${prefix}_00`);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text)![1]!.replace(/&amp;/g, "&");
    const page2 = names((await onList(next)).text);
    // The account found by its email sorts by its username (zz_…), last.
    expect(page2).toEqual([`${prefix}_50`, `${prefix}_51`, byEmail.username]);
    expect(/rel="next"/.test((await onList(next)).text)).toBe(false);
    expect(names((await onList(`/admin/users?q=${prefix}.mail`)).text)).toEqual([byEmail.username]);
    // LIKE wildcards are literal.
    expect(names((await onList(`/admin/users?q=${prefix.slice(0, 2)}%25`)).text)).toEqual([]);
  });

  it("shows status and workspaces per account", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const page = await onList(`/admin/users?q=${owner.username}`);
    expect(page.text).toContain(`${workspace.name} (owner)`);
    expect(page.text).toContain('<td data-label="Status">Active</td>');
  });

  it("is 403 for an account that is not an instance administrator, for every action", async () => {
    const member = await createUser(app.deps);
    const other = await createUser(app.deps);
    const memberClient = await signedInClient(app.baseUrl, member);
    for (const path of [`/admin/users/${other.id}/username`, `/admin/users/${other.id}/delete`, `/admin/users/${other.id}/admin/grant`, "/admin/users", "/admin/settings/registration"]) {
      expect((await memberClient.post(path, { current: other.username, username: "hijack" })).status, path).toBe(403);
    }
    expect((await reloadUser(app.deps, other.id)).username).toBe(other.username);
    expect((await reloadUser(app.deps, member.id)).isInstanceAdmin).toBe(false);
  });
});

describe("inline edits", () => {
  it("with htmx: the cell comes back with the new username, stored and recorded", async () => {
    const user = await createUser(app.deps);
    await onList();
    const renamed = uniqueName("renamed");
    const response = await client.post(`/admin/users/${user.id}/username`, { current: user.username, username: renamed, return_to: "/admin/users" }, { htmx: true });
    expect(response.status).toBe(200);
    expect(response.text.trim()).toMatch(new RegExp(`^<td id="user-${user.id}-username"`));
    expect(response.text).toContain(`>${renamed}</a>`);
    expect(response.text).toContain("Saved");
    expect((await reloadUser(app.deps, user.id)).username).toBe(renamed);
    const [event] = await events("admin.username_changed", user.id);
    expect(event!.actorId).toBe(admin.id);
    expect(event!.details).toMatchObject({ before: user.username, after: renamed, via: "web" });
  });

  it("without JavaScript: back to the same list, with a message", async () => {
    const user = await createUser(app.deps);
    await onList(`/admin/users?q=${user.username}`);
    const renamed = uniqueName("nojs");
    const response = await client.post(`/admin/users/${user.id}/username`, { current: user.username, username: renamed, return_to: `/admin/users?q=${user.username}` });
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/admin/users?q=${user.username}`);
    expect((await client.get(response.location!)).text).toContain(`Username changed to ${renamed}.`);
    expect((await reloadUser(app.deps, user.id)).username).toBe(renamed);
  });

  it.each([
    ["an invalid username", { username: "no spaces here" }, 422, "Use only letters, digits, _ and -."],
    ["a taken username (any case)", "taken", 409, "That username is taken."],
  ])("refuses %s in place (htmx and no-JS), leaving the row unchanged", async (_case, change, status, message) => {
    const user = await createUser(app.deps);
    const username = change === "taken" ? admin.username.toUpperCase() : (change as { username: string }).username;
    await onList();
    const htmx = await client.post(`/admin/users/${user.id}/username`, { current: user.username, username }, { htmx: true });
    expect(htmx.status).toBe(status);
    expect(htmx.text.trim()).toMatch(new RegExp(`^<td id="user-${user.id}-username"`));
    expect(htmx.text).toContain(message);
    expect(htmx.text).toContain(`>${user.username}</a>`);
    // The list the administrator was on (its search) comes back, with the error in the row.
    const plain = await client.post(`/admin/users/${user.id}/username`, { current: user.username, username, return_to: `/admin/users?q=${user.username}` });
    expect(plain.status).toBe(status);
    expect(plain.text).toContain("<h1>Users</h1>");
    const cell = new RegExp(`<td id="user-${user.id}-username"[\\s\\S]*?</td>`).exec(plain.text)![0];
    expect(cell).toContain(message);
    expect(cell).toContain("<details class=\"inline-edit\" open>");
    expect((await reloadUser(app.deps, user.id)).username).toBe(user.username);
  });

  it("detects a stale row: a username changed elsewhere meanwhile is not overwritten", async () => {
    const user = await createUser(app.deps);
    await onList();
    const elsewhere = uniqueName("elsewhere");
    await app.deps.db.update(users).set({ username: elsewhere }).where(eq(users.id, user.id));
    const response = await client.post(`/admin/users/${user.id}/username`, { current: user.username, username: uniqueName("mine") }, { htmx: true });
    expect(response.status).toBe(409);
    expect(response.text).toContain("was changed elsewhere meanwhile");
    expect((await reloadUser(app.deps, user.id)).username).toBe(elsewhere);
  });

  it("changes an email (unverified until confirmed), tells the old address, refuses a taken one", async () => {
    const user = await createUser(app.deps);
    await onList();
    const newEmail = `${uniqueName("new")}@example.test`;
    const response = await client.post(`/admin/users/${user.id}/email`, { current: user.email, email: newEmail }, { htmx: true });
    expect(response.status).toBe(200);
    expect(response.text).toContain(newEmail);
    const stored = await reloadUser(app.deps, user.id);
    expect(stored.email).toBe(newEmail);
    expect(stored.emailVerifiedAt).toBeNull();
    const mail = await app.mail.waitFor(user.email, /email address was changed/);
    expect(mail.text).toContain(newEmail);

    const taken = await client.post(`/admin/users/${user.id}/email`, { current: newEmail, email: admin.email.toUpperCase() }, { htmx: true });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain("That email address is already in use.");
    const invalid = await client.post(`/admin/users/${user.id}/email`, { current: newEmail, email: "not-an-email" }, { htmx: true });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain("Enter a valid email address.");
    expect((await reloadUser(app.deps, user.id)).email).toBe(newEmail);
  });

  it("2FA toggle: off resets it and emails the user; on is refused (the user must enable it)", async () => {
    const user = await createUser(app.deps);
    await enableTotpFor(app.deps, await reloadUser(app.deps, user.id));
    await onList();
    const off = await client.post(`/admin/users/${user.id}/two-factor`, { enabled: "off" }, { htmx: true });
    expect(off.status).toBe(200);
    expect(off.text).toMatch(/data-cell="two-factor">\s*Off/);
    expect((await reloadUser(app.deps, user.id)).totpEnabledAt).toBeNull();
    await app.mail.waitFor(user.email, /two-factor/i);

    const on = await client.post(`/admin/users/${user.id}/two-factor`, { enabled: "on" }, { htmx: true });
    expect(on.status).toBe(422);
    expect(on.text).toContain("the user must enable it");
    expect(on.text).toMatch(/data-cell="two-factor">\s*Off/);
    const plain = await client.post(`/admin/users/${user.id}/two-factor`, { enabled: "on", return_to: `/admin/users?q=${user.username}` });
    expect(plain.status).toBe(422);
    expect(plain.text).toContain("the user must enable it");
  });
});

describe("creating an account", () => {
  it("applies the instance password policy and uniqueness, next to the fields", async () => {
    await client.get("/admin/users/new");
    const weak = await client.post("/admin/users", { username: uniqueName("new"), email: `${uniqueName()}@example.test`, password: "abcdefgh", confirmPassword: "abcdefgh" });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain("Use at least two of: letters, digits, symbols.");
    const taken = await client.post("/admin/users", { username: admin.username, email: `${uniqueName()}@example.test`, password: "Fresh-Start-93", confirmPassword: "Fresh-Start-93" }, { htmx: true });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain("That username is taken.");
  });

  it("creates it, emails a welcome without the password, and makes it choose a password at first sign-in", async () => {
    const username = uniqueName("created");
    const email = `${username}@example.test`;
    await client.get("/admin/users/new");
    const response = await client.post("/admin/users", { username, email, password: "Given-By-Admin-71", confirmPassword: "Given-By-Admin-71", mustChangePassword: "on" });
    expect(response.status).toBe(303);
    const mail = await app.mail.waitFor(email, /account was created/);
    expect(mail.text).not.toContain("Given-By-Admin-71");

    const user = await signedInClient(app.baseUrl, { username, password: "Given-By-Admin-71" });
    const blocked = await user.get("/workspaces/new");
    expect(blocked.status).toBe(303);
    expect(blocked.location).toBe("/settings/security#password");
    const security = await user.get("/settings/security");
    expect(security.status).toBe(200);
    const changed = await user.post("/settings/security/password", { currentPassword: "Given-By-Admin-71", newPassword: "Now-My-Own-82", confirmPassword: "Now-My-Own-82" });
    expect(changed.status).toBe(303);
    expect((await user.get("/workspaces/new")).status).toBe(200);
  });
});

describe("account actions and their guards", () => {
  it("disable ends every session and sign-in; enable lets it back", async () => {
    const user = await createUser(app.deps);
    const session = await signedInClient(app.baseUrl, user);
    await client.get(`/admin/users/${user.id}`);
    expect((await client.post(`/admin/users/${user.id}/disable`, { confirmed: "yes" })).status).toBe(303);
    expect((await session.get("/settings/profile")).status).toBe(303);
    expect(await canSignIn(user.username, user.password)).toBe(false);
    expect((await reloadUser(app.deps, user.id)).sessionsValidAfter).not.toBeNull();
    expect((await client.post(`/admin/users/${user.id}/enable`, {})).status).toBe(303);
    expect(await canSignIn(user.username, user.password)).toBe(true);
  });

  it("never disables, deletes or demotes the last instance administrator, nor lets an admin disable or delete themselves", async () => {
    const isolated = await startTestApp();
    try {
      const only = await createUser(isolated.deps, { isInstanceAdmin: true });
      const onlyClient = await signedInClient(isolated.baseUrl, only);
      await onlyClient.get(`/admin/users/${only.id}`);
      const revoke = await onlyClient.post(`/admin/users/${only.id}/admin/revoke`, {});
      expect(revoke.status).toBe(409);
      expect(revoke.text).toContain("This is the last instance administrator.");
      for (const action of ["disable", "delete"]) {
        const response = await onlyClient.post(`/admin/users/${only.id}/${action}`, { confirmed: "yes" });
        expect(response.status).toBe(409);
        expect(response.text).toContain(`You cannot ${action} your own account.`);
      }
      // A second administrator may be demoted, after which the first is the last again.
      const second = await createUser(isolated.deps, { isInstanceAdmin: true });
      const secondClient = await signedInClient(isolated.baseUrl, second);
      await secondClient.get(`/admin/users/${only.id}`);
      expect((await secondClient.post(`/admin/users/${second.id}/admin/revoke`, {})).status).toBe(303);
      await onlyClient.get(`/admin/users/${only.id}`);
      expect((await onlyClient.post(`/admin/users/${only.id}/admin/revoke`, {})).status).toBe(409);
      const fresh = await reloadUser(isolated.deps, only.id);
      expect(fresh.isInstanceAdmin).toBe(true);
      expect(fresh.status).toBe("active");
    } finally {
      await isolated.close();
    }
  });

  it("two administrators demoting each other at once leave one administrator, never none", async () => {
    const isolated = await startTestApp();
    try {
      const a = await createUser(isolated.deps, { isInstanceAdmin: true });
      const b = await createUser(isolated.deps, { isInstanceAdmin: true });
      const [clientA, clientB] = [await signedInClient(isolated.baseUrl, a), await signedInClient(isolated.baseUrl, b)];
      await clientA.get(`/admin/users/${b.id}`);
      await clientB.get(`/admin/users/${a.id}`);
      const [byA, byB] = await Promise.all([clientA.post(`/admin/users/${b.id}/admin/revoke`, {}), clientB.post(`/admin/users/${a.id}/admin/revoke`, {})]);
      // The loser is refused as the last administrator (409), or, if its
      // request loaded after the winner's commit, as no longer one (403).
      const statuses = [byA.status, byB.status];
      expect(statuses.filter((status) => status === 303)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409 || status === 403)).toHaveLength(1);
      const admins = [await reloadUser(isolated.deps, a.id), await reloadUser(isolated.deps, b.id)].filter((user) => user.isInstanceAdmin);
      expect(admins).toHaveLength(1);
    } finally {
      await isolated.close();
    }
  });

  it("refuses to delete a workspace owner until ownership moves; then deletes, signs out and frees the email", async () => {
    const owner = await createUser(app.deps);
    const heir = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await addMember(app.deps, workspace, heir);
    const session = await signedInClient(app.baseUrl, owner);
    await client.get(`/admin/users/${owner.id}`);
    const refused = await client.post(`/admin/users/${owner.id}/delete`, { confirmed: "yes" });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`owns ${workspace.name}. Transfer the ownership of that workspace first.`);
    expect((await reloadUser(app.deps, owner.id)).status).toBe("active");

    await app.deps.db.transaction(async (tx) => {
      await tx.update(memberships).set({ role: "admin" }).where(and(eq(memberships.userId, owner.id), eq(memberships.workspaceId, workspace.id)));
      await tx.update(memberships).set({ role: "owner" }).where(and(eq(memberships.userId, heir.id), eq(memberships.workspaceId, workspace.id)));
    });
    const deleted = await client.post(`/admin/users/${owner.id}/delete`, { confirmed: "yes" });
    expect(deleted.status).toBe(303);
    expect((await reloadUser(app.deps, owner.id)).status).toBe("cancelled");
    expect((await session.get("/settings/profile")).status).toBe(303);
    expect(await canSignIn(owner.username, owner.password)).toBe(false);
    expect(await app.deps.db.select().from(memberships).where(eq(memberships.userId, owner.id))).toEqual([]);
    // The worker then purges what is left, as after a cancellation.
    await vi.waitFor(
      async () => {
        const [row] = await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, owner.id));
        expect(row?.purgeCompletedAt).toBeInstanceOf(Date);
      },
      { timeout: 15_000, interval: 100 },
    );
    // The address is free for a new account.
    await client.get("/admin/users/new");
    const again = await client.post("/admin/users", { username: uniqueName("again"), email: owner.email, password: "Fresh-Start-93", confirmPassword: "Fresh-Start-93" });
    expect(again.status).toBe(303);
  });

  it("grants and revokes instance administration", async () => {
    const user = await createUser(app.deps);
    await client.get(`/admin/users/${user.id}`);
    expect((await client.post(`/admin/users/${user.id}/admin/grant`, {})).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).isInstanceAdmin).toBe(true);
    expect((await client.post(`/admin/users/${user.id}/admin/revoke`, {})).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).isInstanceAdmin).toBe(false);
    expect(await events("admin.instance_admin_granted", user.id)).toHaveLength(1);
  });
});

describe("open registration", () => {
  it("closed: /register answers 403 with a clear message; open again: it works", async () => {
    await onList();
    expect((await client.post("/admin/settings/registration", {})).status).toBe(303);
    const visitor = new HttpClient(app.baseUrl);
    const closed = await visitor.get("/register");
    expect(closed.status).toBe(403);
    expect(closed.text).toContain("Registration is closed on this instance.");
    const username = uniqueName("reg");
    const post = await visitor.post("/register", { username, email: `${username}@example.test`, password: "Fresh-Start-93", confirmPassword: "Fresh-Start-93" });
    expect(post.status).toBe(403);
    expect(await app.deps.db.select().from(users).where(eq(users.username, username))).toEqual([]);

    await onList();
    expect((await client.post("/admin/settings/registration", { registrationOpen: "on" })).status).toBe(303);
    expect((await visitor.get("/register")).status).toBe(200);
  });
});
