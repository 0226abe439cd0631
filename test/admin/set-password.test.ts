import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
const NEW_PASSWORD = "Chosen-By-Admin-81";
let app: TestApp;
let admin: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  app = await startTestApp({ clock });
  admin = await createUser(app.deps, { isInstanceAdmin: true });
});
afterAll(() => app.close());

async function stored(id: string) {
  const [row] = await app.deps.db.select().from(users).where(eq(users.id, id));
  return row!;
}

async function canSignIn(login: string, password: string): Promise<boolean> {
  return (await new HttpClient(app.baseUrl).submit("/login", "/login", { login, password })).status === 303;
}

async function adminClient() {
  return signedInClient(app.baseUrl, admin);
}

async function setPassword(client: HttpClient, userId: string, password = NEW_PASSWORD, confirm = password, options: { htmx?: boolean } = {}) {
  await client.get(`/admin/users/${userId}`);
  return client.post(`/admin/users/${userId}/password`, { confirmed: "yes", newPassword: password, confirmPassword: confirm }, options);
}

async function expectUnchanged(user: { id: string; username: string; password: string }, hash: string | null) {
  const row = await stored(user.id);
  expect(row.passwordHash).toBe(hash);
  expect(row.passwordChangedAt).toBeNull();
}

describe("user list", () => {
  it("lists every account with username, email, 2FA and creation date, linking to each", async () => {
    const plain = await createUser(app.deps);
    const withTotp = await createUser(app.deps);
    await app.deps.db.update(users).set({ totpEnabledAt: clock.now() }).where(eq(users.id, withTotp.id));
    const client = await adminClient();

    const page = await client.get("/admin/users");
    expect(page.status).toBe(200);
    for (const user of [admin, plain, withTotp]) {
      expect(page.text).toContain(`<a href="/admin/users/${user.id}">${user.username}</a>`);
      expect(page.text).toContain(user.email);
    }
    const rowOf = (id: string) => new RegExp(`data-user="${id}"[\\s\\S]*?</tr>`).exec(page.text)![0];
    const twoFactorCell = (id: string) => new RegExp(`id="user-${id}-two-factor"[^>]*>\\s*(On|Off)`).exec(rowOf(id))?.[1];
    expect(twoFactorCell(withTotp.id)).toBe("On");
    expect(twoFactorCell(plain.id)).toBe("Off");
    // Creation date and time (UTC until the reader chose a zone).
    const created = plain.createdAt.toISOString();
    expect(rowOf(plain.id)).toMatch(new RegExp(`<td data-label="Created">[^<]*${Number(created.slice(8, 10))}, ${created.slice(0, 4)}, ${created.slice(11, 16)}[^<]*</td>`));

    // Instance administrators find it in the navigation; others do not.
    expect(page.text).toContain('href="/admin/users"');
    const member = await signedInClient(app.baseUrl, plain);
    expect((await member.get("/settings/security")).text).not.toContain('href="/admin/users"');
  });

  it("shows one user's facts and the form", async () => {
    const user = await createUser(app.deps);
    const page = await (await adminClient()).get(`/admin/users/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-testid="admin-subject">${user.username}<`);
    expect(page.text).toContain("Set a new password");
    expect(page.text).toContain('<label for="field-newPassword">New password</label>');
  });
});

describe("setting a user's password", () => {
  it("sets it, ends all of the user's sessions, emails the user and records who did it", async () => {
    const user = await createUser(app.deps);
    const sessions = [await signedInClient(app.baseUrl, user), await signedInClient(app.baseUrl, user)];
    const client = await adminClient();

    const response = await setPassword(client, user.id);
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/admin/users/${user.id}`);
    expect((await client.get(response.location!)).text).toContain(`New password set for ${user.username}; its 2 sessions were signed out and the owner was emailed.`);

    for (const session of sessions) expect((await session.get("/settings/profile")).status).toBe(303);
    expect(await canSignIn(user.username, user.password)).toBe(false);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
    expect((await stored(user.id)).passwordChangedAt?.toISOString()).toBe(clock.now().toISOString());
    // The administrator's own session goes on.
    expect((await client.get("/admin/users")).status).toBe(200);

    const mail = await app.mail.waitFor(user.email, /Your Latchkey password was changed/);
    expect(mail.text).toContain("by an instance administrator");
    expect(mail.text).not.toContain(NEW_PASSWORD);

    const audit = await app.deps.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "admin.password_set"), eq(auditEvents.subjectId, user.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(admin.id);
    expect(JSON.stringify(audit[0])).not.toContain(NEW_PASSWORD);
  });

  it("is refused to a member who is not an instance administrator (403), changing nothing", async () => {
    const user = await createUser(app.deps);
    const member = await createUser(app.deps);
    const hash = (await stored(user.id)).passwordHash;
    const client = await signedInClient(app.baseUrl, member);

    for (const path of ["/admin/users", `/admin/users/${user.id}`]) {
      const page = await client.get(path);
      expect(page.status, path).toBe(403);
      expect(page.text).toContain("Only instance administrators can open this page.");
    }
    await client.get("/settings/security");
    const response = await client.post(`/admin/users/${user.id}/password`, { confirmed: "yes", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(response.status).toBe(403);
    await expectUnchanged(user, hash);
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const response = await new HttpClient(app.baseUrl).get("/admin/users");
    expect(response.status).toBe(303);
    expect(response.location).toBe("/login?return_to=%2Fadmin%2Fusers");
  });

  it("answers 404 for an unknown or malformed user id", async () => {
    const client = await adminClient();
    for (const id of [randomUUID(), "not-a-uuid", "1"]) {
      expect((await client.get(`/admin/users/${id}`)).status, id).toBe(404);
      await client.get("/admin/users");
      expect((await client.post(`/admin/users/${id}/password`, { confirmed: "yes", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status, id).toBe(404);
    }
  });

  it.each([
    ["too short", "Ab1-x", "newPassword", "Use at least 8 characters."],
    ["common", "Password1", "newPassword", "This password is too easy to guess. This is a commonly used password. Add more words that are less common. Capitalize more than the first letter."],
    ["one kind of character", "abcdefghijkl", "newPassword", "Use at least two of: letters, digits, symbols."],
  ])("enforces the policy: %s", async (_case, password, field, message) => {
    const user = await createUser(app.deps);
    const session = await signedInClient(app.baseUrl, user);
    const hash = (await stored(user.id)).passwordHash;
    const response = await setPassword(await adminClient(), user.id, password);
    expect(response.status).toBe(422);
    expect(response.text).toContain(`id="field-${field}-error">${message}<`);
    await expectUnchanged(user, hash);
    expect((await session.get("/settings/profile")).status).toBe(200);
  });

  it("checks the policy against the user's username, not the administrator's", async () => {
    const user = await createUser(app.deps);
    const hash = (await stored(user.id)).passwordHash;
    const response = await setPassword(await adminClient(), user.id, `${user.username}!99`, undefined, { htmx: true });
    expect(response.status).toBe(422);
    expect(response.text.trim().startsWith("<form")).toBe(true);
    expect(response.text).toContain('id="field-newPassword-error">The password must not contain your username.<');
    await expectUnchanged(user, hash);
  });

  it("refuses a confirmation that does not match", async () => {
    const user = await createUser(app.deps);
    const hash = (await stored(user.id)).passwordHash;
    const response = await setPassword(await adminClient(), user.id, NEW_PASSWORD, "Chosen-By-Admin-82");
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-confirmPassword-error">The passwords do not match.<');
    await expectUnchanged(user, hash);
  });

  it("refuses the administrator's own account (that change needs the current password) and SSO accounts", async () => {
    const client = await adminClient();
    const ownHash = (await stored(admin.id)).passwordHash;
    const own = await setPassword(client, admin.id);
    expect(own.status).toBe(409);
    expect(own.text).toContain("Change your own password on your Security page; it asks for your current password.");
    expect((await stored(admin.id)).passwordHash).toBe(ownHash);

    const sso = await createUser(app.deps);
    await app.deps.db.update(users).set({ passwordHash: null }).where(eq(users.id, sso.id));
    const refused = await setPassword(client, sso.id);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("This account signs in through single sign-on and has no Latchkey password.");
    expect((await stored(sso.id)).passwordHash).toBeNull();
  });

  it("needs a fresh authentication", async () => {
    const user = await createUser(app.deps);
    const hash = (await stored(user.id)).passwordHash;
    const client = await adminClient();
    clock.advance(16 * 60_000);
    await client.get(`/admin/users/${user.id}`);
    const response = await client.post(
      `/admin/users/${user.id}/password`,
      { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      { headers: { referer: `${app.baseUrl}/admin/users/${user.id}` } },
    );
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/reauth?return_to=${encodeURIComponent(`/admin/users/${user.id}`)}`);
    await expectUnchanged(user, hash);
  });
});
