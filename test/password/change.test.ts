import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import argon2 from "argon2";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient, reloadUser } from "../helpers/factories.js";
import { HttpClient, sessionIdOf } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const START = new Date("2026-11-23T09:00:00Z");
const clock = manualClock(START);
const NEW_PASSWORD = "Brand-New-Secret-77";
const CHANGED = /Your Latchkey password was changed/;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());
// Every test starts at the same instant (some assert the time they see, one
// moves the clock on), whatever order the tests run in.
beforeEach(() => clock.set(START));

async function canSignIn(login: string, password: string): Promise<boolean> {
  const response = await new HttpClient(app.baseUrl).submit("/login", "/login", { login, password });
  return response.status === 303;
}

// What the browser sends for the form as rendered (checkbox ticked unless told otherwise).
function changeFields(current: string, next = NEW_PASSWORD, options: { confirm?: string; signOutOthers?: boolean } = {}) {
  return {
    currentPassword: current,
    newPassword: next,
    confirmPassword: options.confirm ?? next,
    signOutOthersOffered: "1",
    ...(options.signOutOthers === false ? {} : { signOutOthers: "1" }),
  };
}

async function expectNothingChanged(user: { id: string; username: string; password: string }, before: { passwordHash: string | null }) {
  const after = await reloadUser(app.deps, user.id);
  expect(after.passwordHash).toBe(before.passwordHash);
  expect(after.passwordChangedAt).toBeNull();
  expect(await canSignIn(user.username, user.password)).toBe(true);
}

describe("changing the password", () => {
  it("replaces the password, signs out the other sessions, rotates this session's id and sends a notice", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const other = await signedInClient(app.baseUrl, user);

    const page = await mine.get("/settings/security");
    expect(page.text).toContain('data-testid="change-password-form"');
    expect(page.text).toMatch(/id="field-signOutOthers"[^>]*checked/);
    const oldSid = sessionIdOf(mine);

    const response = await mine.post("/settings/security/password", changeFields(user.password));
    expect(response.status).toBe(303);
    expect(response.location).toBe("/settings/security");

    // This session continues under a new id; the old id is gone from Redis.
    expect(sessionIdOf(mine)).not.toBe(oldSid);
    expect(await app.deps.redis.exists(`${app.redisPrefix}sess:${oldSid}`)).toBe(0);
    const after = await mine.get("/settings/security");
    expect(after.status).toBe(200);
    expect(after.text).toContain("Your password was changed. 1 other session was signed out.");
    expect(after.text).toMatch(/Last changed <time datetime="2026-11-23T09:00:00.000Z" title="Nov 23, 2026, 09:00 UTC">[^<]+<\/time>\./);

    // The other session is over.
    const otherPage = await other.get("/settings/profile");
    expect(otherPage.status).toBe(303);
    expect(otherPage.location).toMatch(/^\/login/);

    // Only the new password works, and it is stored as argon2id.
    expect(await canSignIn(user.username, user.password)).toBe(false);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
    const stored = await reloadUser(app.deps, user.id);
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await argon2.verify(stored.passwordHash!, NEW_PASSWORD)).toBe(true);
    expect(stored.passwordChangedAt?.toISOString()).toBe(clock.now().toISOString());

    const mail = await app.mail.waitFor(user.email, CHANGED);
    expect(mail.text).toContain("Nov 23, 2026, 09:00 UTC");
    expect(mail.text).toContain("127.0.0.1");
    expect(mail.text).toContain("Your other sessions were signed out.");
    expect(mail.text).not.toContain(NEW_PASSWORD);
    expect(mail.text).not.toContain(user.password);

    const audit = await app.deps.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "password.changed"), eq(auditEvents.subjectId, user.id)));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toContain(NEW_PASSWORD);
  });

  it("keeps the other sessions when the box is unticked", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const other = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/password", changeFields(user.password, NEW_PASSWORD, { signOutOthers: false }));
    expect(response.status).toBe(303);
    expect((await mine.get("/settings/security")).text).toContain("Your password was changed.<");
    expect((await other.get("/settings/profile")).status).toBe(200);
    expect(await canSignIn(user.username, NEW_PASSWORD)).toBe(true);
    expect((await app.mail.waitFor(user.email, CHANGED)).text).toContain("Your other sessions stay signed in");
  });

  it("works through htmx: a redirect header, and a new session cookie for the next page", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    const oldSid = sessionIdOf(mine);
    const response = await mine.post("/settings/security/password", changeFields(user.password), { htmx: true });
    expect(response.status).toBe(204);
    expect(response.headers.get("hx-redirect")).toBe("/settings/security");
    expect(sessionIdOf(mine)).not.toBe(oldSid);
    expect((await mine.get("/settings/security")).status).toBe(200);
  });
});

describe("refusals change nothing", () => {
  it("a wrong current password: message next to that field, counted like a failed sign-in", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const other = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    await mine.get("/settings/security");

    const response = await mine.post("/settings/security/password", changeFields("Not-my-password-1"));
    expect(response.status).toBe(401);
    expect(response.text).toContain('id="field-currentPassword-error">Your current password is not correct.<');
    // Secrets are never echoed back into the form.
    expect(response.text).not.toContain("Not-my-password-1");
    expect(response.text).not.toContain(NEW_PASSWORD);
    // The rest of the page is there too (no JavaScript: the whole page comes back).
    expect(response.text).toContain("Active sessions");

    // The same per-account counter a failed sign-in uses.
    expect(await app.deps.redis.get(`${app.redisPrefix}login:account:user:${user.id}`)).toBe("1");
    await new HttpClient(app.baseUrl).submit("/login", "/login", { login: user.username, password: "Wrong-at-login-1" });
    expect(await app.deps.redis.get(`${app.redisPrefix}login:account:user:${user.id}`)).toBe("2");
    const failures = await app.deps.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "password.change_failed"), eq(auditEvents.subjectId, user.id)));
    expect(failures).toHaveLength(1);

    expect((await other.get("/settings/profile")).status).toBe(200);
    await expectNothingChanged(user, before);
  });

  it("repeated wrong current passwords hit the sign-in delay", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    for (let i = 0; i < 5; i++) {
      const wrong = await mine.post("/settings/security/password", changeFields(`Not-my-password-${i}`), { htmx: true });
      expect(wrong.status).toBe(401);
    }
    // After 5 failures every further try waits, even with the right password.
    const blocked = await mine.post("/settings/security/password", changeFields(user.password), { htmx: true });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Too many failed attempts.");
    expect((await reloadUser(app.deps, user.id)).passwordChangedAt).toBeNull();
  });

  it("an htmx request gets only the form back, with the error next to the field", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/password", changeFields("Not-my-password-2", NEW_PASSWORD, { signOutOthers: false }), { htmx: true });
    expect(response.status).toBe(401);
    expect(response.text).not.toMatch(/<!doctype/i);
    expect(response.text.trim().startsWith("<form")).toBe(true);
    expect(response.text).toContain('id="field-currentPassword-error">Your current password is not correct.<');
    // The user's choice on the checkbox survives the re-render.
    expect(response.text).not.toMatch(/id="field-signOutOthers"[^>]*checked/);
  });

  it.each([
    ["too short", "Ab1-x", "Use at least 8 characters."],
    ["one kind of character only", "abcdefghijkl", "Use at least two of: letters, digits, symbols."],
    ["a common password", "Password1", "This password is too easy to guess. This is a commonly used password. Add more words that are less common. Capitalize more than the first letter."],
    ["longer than 128 characters", `Aa1-${"x".repeat(130)}`, "Use at most 128 characters."],
  ])("the policy refuses a new password that is %s", async (_case, candidate, message) => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/password", changeFields(user.password, candidate));
    expect(response.status).toBe(422);
    expect(response.text).toContain(`id="field-newPassword-error">${message}<`);
    await expectNothingChanged(user, before);
  });

  it("the policy refuses a new password containing the username or the email's local part", async () => {
    const user = await createUser(app.deps, { username: "marguerite", email: "m.duras@example.test" });
    const mine = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    await mine.get("/settings/security");
    let response = await mine.post("/settings/security/password", changeFields(user.password, "x-MARGUERITE-42"));
    expect(response.text).toContain('id="field-newPassword-error">The password must not contain your username.<');
    response = await mine.post("/settings/security/password", changeFields(user.password, "42-m.duras-secret"));
    expect(response.text).toContain('id="field-newPassword-error">The password must not contain your email address.<');
    response = await mine.post("/settings/security/password", changeFields(user.password, user.password));
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-newPassword-error">Choose a password different from your current one.<');
    await expectNothingChanged(user, before);
  });

  it("a confirmation that does not match", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/password", changeFields(user.password, NEW_PASSWORD, { confirm: "Brand-New-Secret-78" }));
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-confirmPassword-error">The passwords do not match.<');
    await expectNothingChanged(user, before);
  });

  it("a stale sign-in goes to /reauth first", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    clock.advance(16 * 60_000);
    await mine.get("/settings/security");
    const response = await mine.post("/settings/security/password", changeFields(user.password), {
      headers: { referer: `${app.baseUrl}/settings/security` },
    });
    expect(response.status).toBe(303);
    expect(response.location).toBe("/reauth?return_to=%2Fsettings%2Fsecurity");
    await expectNothingChanged(user, before);
  });

  it("a single sign-on account sees a note instead of the form, and a forged POST is refused with 403", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    // What a workspace IdP creates: an account without a password here.
    await app.deps.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));

    const page = await mine.get("/settings/security");
    expect(page.text).toContain('data-testid="password-sso-note"');
    expect(page.text).not.toContain('data-testid="change-password-form"');

    const response = await mine.post("/settings/security/password", changeFields("anything-at-all-1"));
    expect(response.status).toBe(403);
    expect(response.text).toContain("Single sign-on accounts have no Latchkey password to change.");
    const after = await reloadUser(app.deps, user.id);
    expect(after.passwordHash).toBeNull();
    expect(after.passwordChangedAt).toBeNull();
  });

  it("refuses a request without the CSRF token", async () => {
    const user = await createUser(app.deps);
    const mine = await signedInClient(app.baseUrl, user);
    const before = await reloadUser(app.deps, user.id);
    const response = await mine.post("/settings/security/password", changeFields(user.password), { csrf: null });
    expect(response.status).toBe(403);
    await expectNothingChanged(user, before);
  });
});
