import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { insertPasswordReset } from "../../src/modules/password/repo.js";
import { newResetToken } from "../../src/modules/password/reset-tokens.js";
import { passwordResets } from "../../src/modules/password/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { addMember, createUser, createWorkspace, signedInClient, reloadUser } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const MINUTE = 60_000;
const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
const NEW_PASSWORD = "Fresh-Start-2027";
const SENT = "If an account exists for that address, we sent a link";
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

type TestUser = Awaited<ReturnType<typeof createUser>>;

async function requestLink(login: string) {
  const client = new HttpClient(app.baseUrl);
  return client.submit("/forgot-password", "/forgot-password", { login });
}

// The link's path from the newest reset mail to this user.
async function linkFor(user: TestUser): Promise<string> {
  const mail = await app.mail.waitFor(user.email, /Reset your Latchkey password/);
  const path = /https?:\/\/[^/\s]+(\/reset-password\/[A-Za-z0-9_-]+)\s/.exec(mail.text)?.[1];
  if (!path) throw new Error(`no reset link in: ${mail.text}`);
  return path;
}

async function canSignIn(login: string, password: string): Promise<boolean> {
  const response = await new HttpClient(app.baseUrl).submit("/login", "/login", { login, password });
  return response.status === 303;
}

// Like a browser: the form's page first; a CSRF token from another page when
// the link's page has no form (an attacker replaying a link would have one).
async function setNewPassword(link: string, password = NEW_PASSWORD, confirm = password, client = new HttpClient(app.baseUrl)) {
  await client.get("/forgot-password");
  await client.get(link);
  return { client, response: await client.post(link, { newPassword: password, confirmPassword: confirm }) };
}

describe("forgot password", () => {
  it("is linked from the sign-in page and asks for a username or email", async () => {
    const login = await new HttpClient(app.baseUrl).get("/login");
    expect(login.text).toContain('href="/forgot-password"');
    const page = await new HttpClient(app.baseUrl).get("/forgot-password");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="field-login">Username or email</label>');
  });

  it("mails a link that sets a new password, ends every session and never signs in", async () => {
    const user = await createUser(app.deps);
    const sessions = [await signedInClient(app.baseUrl, user), await signedInClient(app.baseUrl, user)];

    const answer = await requestLink(user.username);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(SENT);
    const link = await linkFor(user);

    const form = await new HttpClient(app.baseUrl).get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain("Choose a new password");
    expect(form.text).toContain(`data-testid="reset-username">${user.username}<`);

    const { client, response } = await setNewPassword(link);
    expect(response.status).toBe(303);
    expect(response.location).toBe("/login");
    const login = await client.get("/login");
    expect(login.text).toContain("Password changed. Sign in with your new password.");
    // Not signed in by the reset: a second factor would be skipped otherwise.
    const gated = await client.get("/settings/profile");
    expect(gated.status).toBe(303);
    expect(gated.location).toMatch(/^\/login/);

    for (const session of sessions) expect((await session.get("/settings/profile")).status).toBe(303);
    expect(await app.deps.redis.zcard(`${app.redisPrefix}user-sessions:${user.id}`)).toBe(0);

    expect(await canSignIn(user.username, user.password)).toBe(false);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
    expect((await reloadUser(app.deps, user.id)).passwordChangedAt?.toISOString()).toBe(clock.now().toISOString());

    const notice = await app.mail.waitFor(user.email, /Your Latchkey password was changed/);
    expect(notice.text).toContain("reset link");
    expect(notice.text).toContain("127.0.0.1");
    expect(notice.text).not.toContain(link);
    const audit = await app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "password.reset"), eq(auditEvents.subjectId, user.id)));
    expect(audit).toHaveLength(1);
  });

  it("ends the sessions on every web process and in every workspace, whichever browser uses the link", async () => {
    const user = await createUser(app.deps);
    const first = await createWorkspace(app.deps, user);
    const second = await createWorkspace(app.deps, await createUser(app.deps));
    await addMember(app.deps, second, user, "member");
    const otherProcess = await app.startAnotherInstance();
    const here = await signedInClient(app.baseUrl, user);
    const there = await signedInClient(otherProcess.baseUrl, user);
    await there.get("/workspaces");
    expect((await there.post("/workspaces/switch", { slug: second.slug })).status).toBe(303);
    expect((await here.get(`/w/${first.slug}`)).status).toBe(200);
    expect((await there.get(`/w/${second.slug}`)).status).toBe(200);

    await requestLink(user.email);
    const { response } = await setNewPassword(await linkFor(user));
    expect(response.location).toBe("/login");

    for (const [client, path] of [
      [here, `/w/${first.slug}`],
      [there, `/w/${second.slug}`],
    ] as const) {
      const gone = await client.get(path);
      expect(gone.status).toBe(303);
      expect(gone.location).toMatch(/^\/login/);
    }
    // Also on the other process for the session that lived here, and vice versa.
    const replayed = new HttpClient(otherProcess.baseUrl);
    replayed.setCookie("latchkey.sid", here.cookie("latchkey.sid")!);
    expect((await replayed.get(`/w/${first.slug}`)).location).toMatch(/^\/login/);
  });

  it("accepts the email address in any letter case", async () => {
    const user = await createUser(app.deps);
    expect((await requestLink(user.email.toUpperCase())).text).toContain(SENT);
    await linkFor(user);
  });

  it("works with htmx: the form is replaced by the same answer", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    const response = await client.submit("/forgot-password", "/forgot-password", { login: user.username }, { htmx: true });
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/<!doctype/i);
    expect(response.text).toContain(SENT);
    await linkFor(user);
  });

  it("asks for a username or email when the field is empty", async () => {
    const response = await new HttpClient(app.baseUrl).submit("/forgot-password", "/forgot-password", { login: "  " });
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-login-error">Enter your username or email.<');
  });

  it("tells a single sign-on account by mail that it has no password here, and makes no link", async () => {
    const user = await createUser(app.deps);
    await app.deps.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
    expect((await requestLink(user.username)).text).toContain(SENT);
    const mail = await app.mail.waitFor(user.email, /Reset your Latchkey password/);
    expect(mail.text).toContain("single sign-on");
    expect(mail.text).not.toContain("/reset-password/");
    expect(await app.deps.db.select().from(passwordResets).where(eq(passwordResets.userId, user.id))).toHaveLength(0);
  });
});

describe("reset links", () => {
  it("work once", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    expect((await setNewPassword(link)).response.status).toBe(303);

    const again = await new HttpClient(app.baseUrl).get(link);
    expect(again.status).toBe(410);
    expect(again.text).toContain("This reset link was already used");
    expect(again.text).toContain('href="/forgot-password"');
    expect(again.text).not.toContain("newPassword");

    const second = await setNewPassword(link, "Second-Attempt-99");
    expect(second.response.status).toBe(410);
    expect(await canSignIn(user.username, "Second-Attempt-99")).toBe(false);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
  });

  it("expire after 60 minutes", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    clock.advance(59 * MINUTE);
    expect((await new HttpClient(app.baseUrl).get(link)).status).toBe(200);

    clock.advance(1 * MINUTE);
    const page = await new HttpClient(app.baseUrl).get(link);
    expect(page.status).toBe(410);
    expect(page.text).toContain("This reset link has expired");
    expect(page.text).toContain('href="/forgot-password"');

    const late = await setNewPassword(link);
    expect(late.response.status).toBe(410);
    expect(await canSignIn(user.username, user.password)).toBe(true);
    expect((await reloadUser(app.deps, user.id)).passwordChangedAt).toBeNull();
  });

  it("answer 404 with a way forward when unknown or malformed", async () => {
    for (const path of ["/reset-password/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/reset-password/short", `/reset-password/${"x".repeat(300)}`]) {
      const page = await new HttpClient(app.baseUrl).get(path);
      expect(page.status).toBe(404);
      expect(page.text).toContain("This reset link is not valid");
      expect(page.text).toContain('href="/forgot-password"');
    }
  });

  it("are not used up by a refused password, and show the policy's message", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    const client = new HttpClient(app.baseUrl);
    await client.get(link);

    let response = await client.post(link, { newPassword: "short1!", confirmPassword: "short1!" });
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-newPassword-error">Use at least 8 characters.<');
    response = await client.post(link, { newPassword: `${user.username}-42`, confirmPassword: `${user.username}-42` });
    expect(response.text).toContain('id="field-newPassword-error">The password must not contain your username.<');
    response = await client.post(link, { newPassword: NEW_PASSWORD, confirmPassword: "Something-else-1" });
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-confirmPassword-error">The passwords do not match.<');
    expect((await reloadUser(app.deps, user.id)).passwordChangedAt).toBeNull();

    response = await client.post(link, { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(response.status).toBe(303);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
  });

  it("using one voids every other outstanding link of the account", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    // A second link issued earlier (requests are limited to one a minute).
    const older = newResetToken();
    await insertPasswordReset(app.deps.db, { userId: user.id, tokenHash: older.tokenHash, expiresAt: new Date(clock.now().getTime() + 30 * MINUTE), createdAt: clock.now(), sentTo: user.email });
    expect((await new HttpClient(app.baseUrl).get(`/reset-password/${older.token}`)).status).toBe(200);

    expect((await setNewPassword(link)).response.status).toBe(303);
    expect((await new HttpClient(app.baseUrl).get(`/reset-password/${older.token}`)).status).toBe(410);
    expect((await setNewPassword(`/reset-password/${older.token}`, "Older-Link-Pass-5")).response.status).toBe(410);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
  });

  it("are voided by a password change in settings", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    const changed = await client.post("/settings/security/password", {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
      signOutOthersOffered: "1",
    });
    expect(changed.status).toBe(303);
    expect((await new HttpClient(app.baseUrl).get(link)).status).toBe(410);
  });

  it("used while signed into that account end this browser's session too", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await requestLink(user.username);
    const link = await linkFor(user);
    const { response } = await setNewPassword(link, NEW_PASSWORD, NEW_PASSWORD, client);
    expect(response.location).toBe("/login");
    const login = await client.get("/login");
    expect(login.status).toBe(200);
    expect(login.text).toContain("Password changed. Sign in with your new password.");
    expect((await client.get("/settings/profile")).status).toBe(303);
  });

  it("with htmx, a refused password swaps the form and an unusable link reloads the page", async () => {
    const user = await createUser(app.deps);
    await requestLink(user.username);
    const link = await linkFor(user);
    const client = new HttpClient(app.baseUrl);
    await client.get(link);
    const refused = await client.post(link, { newPassword: "short1!", confirmPassword: "short1!" }, { htmx: true });
    expect(refused.status).toBe(422);
    expect(refused.text.trim().startsWith("<form")).toBe(true);
    const done = await client.post(link, { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, { htmx: true });
    expect(done.status).toBe(204);
    expect(done.headers.get("hx-redirect")).toBe("/login");
    const replay = await client.post(link, { newPassword: "Replay-Pass-123", confirmPassword: "Replay-Pass-123" }, { htmx: true });
    expect(replay.headers.get("hx-redirect")).toBe(link);
    expect(await canSignIn(user.username, "Replay-Pass-123")).toBe(false);
  });
});
