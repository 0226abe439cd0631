import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { auditEvents, deviceCookieName } from "../../src/modules/audit/index.js";
import { knownDevices } from "../../src/modules/audit/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { issueToken } from "../tokens/helpers.js";

const clock = manualClock();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const COOKIE = deviceCookieName(false);
const DAY_MS = 86_400_000;
const alerts = (to: string) => app.mail.all().filter((mail) => mail.to === to && /New sign-in to your Latchkey account/.test(mail.subject));

async function waitForAlerts(to: string, count: number) {
  for (let i = 0; i < 100 && alerts(to).length < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return alerts(to);
}

// A browser that already has this device cookie (and no session).
async function signInWithDevice(user: { username: string; password: string }, deviceId: string | undefined) {
  const client = new HttpClient(app.baseUrl);
  if (deviceId) client.setCookie(COOKIE, deviceId);
  const response = await client.submit("/login", "/login", { login: user.username, password: user.password });
  expect(response.status).toBe(303);
  return client;
}

async function newDeviceEvents(userId: string) {
  return app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, userId), eq(auditEvents.action, "auth.new_device_sign_in")));
}

describe("new-device sign-in alert", () => {
  it("never alerts on an account's first sign-in, alerts for a device unseen for 90 days, and remembers a device 90 days", async () => {
    const user = await createUser(app.deps);
    const first = await signedInClient(app.baseUrl, user);
    const deviceId = first.cookie(COOKIE);
    expect(deviceId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Same device (cookie and browser family): nothing.
    await signInWithDevice(user, deviceId);
    // Another device: one alert, saying when, from where and what to do.
    await signInWithDevice(user, undefined);
    const [mail] = await waitForAlerts(user.email, 1);
    expect(mail!.text).toContain("not seen in the last 90 days");
    expect(mail!.text).toContain("From: 127.0.0.1");
    expect(mail!.text).toMatch(/Not you\? Sign out your other sessions and change your password now: http:\/\/[^\n]+\/settings\/security/);

    // 89 days later the first device is still known; 91 days after that, not.
    clock.advance(89 * DAY_MS);
    await signInWithDevice(user, deviceId);
    clock.advance(91 * DAY_MS);
    await signInWithDevice(user, deviceId);
    expect(await waitForAlerts(user.email, 2)).toHaveLength(2);
    expect((await newDeviceEvents(user.id)).map((event) => event.details)).toEqual([
      expect.objectContaining({ notified: true }),
      expect.objectContaining({ notified: true }),
    ]);
  });

  it("renews a known device's last-seen time at each sign-in from it, without an alert", async () => {
    const user = await createUser(app.deps);
    const deviceId = (await signedInClient(app.baseUrl, user)).cookie(COOKIE);
    const lastSeen = async () => (await app.deps.db.select().from(knownDevices).where(eq(knownDevices.userId, user.id))).map((row) => row.lastSeenAt.getTime());
    const [first] = await lastSeen();
    clock.advance(10 * DAY_MS);
    await signInWithDevice(user, deviceId);
    expect(await lastSeen()).toEqual([first! + 10 * DAY_MS]);
    expect(await newDeviceEvents(user.id)).toEqual([]);
  });

  it("records but does not mail when the owner muted optional notices", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    const saved = await client.post("/settings/security/notices", { muteOptional: "on" });
    expect(saved.status).toBe(303);
    expect((await client.get("/settings/security")).text).toMatch(/name="muteOptional" value="on" checked/);
    await signInWithDevice(user, undefined);
    expect((await newDeviceEvents(user.id)).map((event) => event.details)).toEqual([expect.objectContaining({ notified: false })]);

    // Unmuted (htmx form), the next new device mails again; the muted one never did.
    await client.get("/settings/security");
    const fragment = await client.post("/settings/security/notices", {}, { htmx: true });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain("Saved.");
    await signInWithDevice(user, undefined);
    expect(await waitForAlerts(user.email, 1)).toHaveLength(1);
    expect((await newDeviceEvents(user.id)).map((event) => (event.details as { notified: boolean }).notified)).toEqual([false, true]);
  });
});

describe("muting optional notices", () => {
  it("also mutes the token-created mail for the owner's own tokens", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    await client.post("/settings/security/notices", { muteOptional: "on" });
    await issueToken(app, user, { name: "while muted" });
    await client.get("/settings/security");
    await client.post("/settings/security/notices", {});
    await issueToken(app, user, { name: "after unmuting" });
    const tokenMails = async () => {
      for (let i = 0; i < 100; i++) {
        const mails = app.mail.all().filter((mail) => mail.to === user.email && /access token/i.test(mail.subject));
        if (mails.length > 0) return mails;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return [];
    };
    const mails = await tokenMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('"after unmuting"');
  });
});
