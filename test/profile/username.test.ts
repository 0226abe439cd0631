import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import pg from "pg";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { databaseUrlFor } from "../helpers/env.js";
import { createUser, newUserOnProfilePage, signedInClient, uniqueName } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

async function storedUsername(userId: string) {
  const [row] = await app.deps.db.select({ username: users.username }).from(users).where(eq(users.id, userId));
  return row!.username;
}

async function usernameEvents(userId: string) {
  return app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, userId), eq(auditEvents.action, "profile.username_changed")));
}

// Sessions of this test's database blocked on a lock (other test files use other databases).
const waitingOnLock = "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("changing the username", () => {
  it("saves it, records old and new, shows it in the header at once and signs in with it", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const newName = uniqueName("renamed");
    const response = await client.post("/settings/profile/username", { username: newName });
    expect(response.status).toBe(303);
    expect(response.location).toBe("/settings/profile");

    const page = await client.get("/settings/profile");
    expect(page.text).toContain(`data-testid="signed-in-user">${newName}<`);
    expect(page.text).toContain(`data-testid="profile-username">${newName}<`);
    expect(page.text).toContain(`Your username is now ${newName}.`);
    expect(await storedUsername(user.id)).toBe(newName);
    const [event] = await usernameEvents(user.id);
    expect(event).toMatchObject({ actorId: user.id, details: { from: user.username, to: newName } });
    expect(event!.ip).toBeTruthy();

    await expect(signedInClient(app.baseUrl, { username: newName, password: user.password })).resolves.toBeTruthy();
    await expect(signedInClient(app.baseUrl, user)).rejects.toThrow(/sign-in failed/);
  });

  it("with htmx answers with an HX-Redirect to the profile page", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const newName = uniqueName("htmx");
    const response = await client.post("/settings/profile/username", { username: newName }, { htmx: true });
    expect(response.status).toBe(204);
    expect(response.headers.get("hx-redirect")).toBe("/settings/profile");
    expect(await storedUsername(user.id)).toBe(newName);
  });

  it("accepts the unchanged name without recording a change", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.post("/settings/profile/username", { username: user.username });
    expect(response.status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain("Your username is unchanged.");
    expect(await usernameEvents(user.id)).toHaveLength(0);
  });

  it("lets users change only the letter case of their own name", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.post("/settings/profile/username", { username: user.username.toUpperCase() });
    expect(response.status).toBe(303);
    expect(await storedUsername(user.id)).toBe(user.username.toUpperCase());
  });

  it("refuses a name another account has in another letter case, with 409 next to the field", async () => {
    const other = await createUser(app.deps);
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.post("/settings/profile/username", { username: other.username.toUpperCase() });
    expect(response.status).toBe(409);
    expect(response.text).toContain('id="field-username-error">That username is taken.<');
    expect(response.text).toContain(`value="${other.username.toUpperCase()}"`);
    expect(await storedUsername(user.id)).toBe(user.username);
    expect(await usernameEvents(user.id)).toHaveLength(0);
  });

  it("answers 409 too when another account takes the name between the check and the write", async () => {
    const other = await createUser(app.deps);
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const target = uniqueName("race");
    // Another transaction renames `other` to the target and holds its lock:
    // the app's pre-check sees the name free, its write then waits on the
    // unique index and fails once the other transaction commits.
    const rival = new pg.Client({ connectionString: databaseUrlFor(app.databaseName) });
    await rival.connect();
    try {
      await rival.query("begin");
      await rival.query("update users set username = $1 where id = $2", [target, other.id]);
      const pending = client.post("/settings/profile/username", { username: target });
      await expect.poll(async () => (await rival.query(waitingOnLock)).rows[0].n, { timeout: 10_000 }).toBeGreaterThan(0);
      await rival.query("commit");
      const response = await pending;
      expect(response.status).toBe(409);
      expect(response.text).toContain('id="field-username-error">That username is taken.<');
    } finally {
      await rival.end();
    }
    expect(await storedUsername(user.id)).toBe(user.username);
    expect(await usernameEvents(user.id)).toHaveLength(0);
  });

  it.each([
    ["ab", "Use 3 to 32 characters."],
    ["a".repeat(33), "Use 3 to 32 characters."],
    ["", "Enter a username."],
    ["bad name!", "Use only letters, digits, _ and -."],
    ["ünïcödé", "Use only letters, digits, _ and -."],
    ["<script>", "Use only letters, digits, _ and -."],
  ])("refuses %j with the message next to the field and stores nothing", async (username, message) => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.post("/settings/profile/username", { username });
    expect(response.status).toBe(422);
    expect(response.text).toMatch(new RegExp(`id="field-username-error">${escapeRegExp(message)}<`));
    // The whole page comes back (no JavaScript), with the header unchanged.
    expect(response.text).toContain(`data-testid="signed-in-user">${user.username}<`);
    expect(response.text).not.toContain("<script>");
    expect(await storedUsername(user.id)).toBe(user.username);
    expect(await usernameEvents(user.id)).toHaveLength(0);
  });

  it("with htmx returns only the username form with the error", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.post("/settings/profile/username", { username: "x" }, { htmx: true });
    expect(response.status).toBe(422);
    expect(response.text.trimStart().startsWith("<form")).toBe(true);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('id="field-username-error">Use 3 to 32 characters.<');
    expect(response.text).toContain('name="_csrf"');
  });

  it("is for signed-in users only", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await client.post("/logout", {});
    const response = await client.get("/settings/profile");
    expect(response.status).toBe(303);
    expect(response.location).toBe("/login?return_to=%2Fsettings%2Fprofile");
  });
});
