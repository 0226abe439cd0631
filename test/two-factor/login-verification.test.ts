import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { manualClock } from "../../src/platform/clock.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

const clock = manualClock(new Date("2026-11-23T09:00:10Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function userWithVerifiedContacts() {
  const user = await createUser(app.deps);
  const phone = `+4477009${String(Math.floor(Math.random() * 100000)).padStart(5, "0")}`;
  await app.deps.db.update(users).set({ emailVerifiedAt: new Date(), phone: "+447911" + phone.slice(-6), phoneVerifiedAt: new Date() }).where(eq(users.id, user.id));
  const [stored] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
  return { ...user, phone: stored!.phone! };
}

async function choose(client: HttpClient, method: string) {
  await client.get("/settings/security");
  return client.post("/settings/security/login-verification", { method });
}

// Email and SMS are switched to with a code sent over that channel.
async function switchTo(client: HttpClient, user: { email: string; phone: string }, method: "email" | "sms") {
  expect((await choose(client, method)).status).toBe(303);
  const sent = method === "email" ? await app.mail.waitFor(user.email, /verification code/, { text: /verify sign-ins by email/ }) : await app.sms.waitFor(user.phone, /verify sign-ins by SMS/);
  return client.post("/settings/security/login-verification", { method, code: codeIn(sent.text) });
}

describe("login verification method", () => {
  it("email: the second step asks for a code sent by email", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    expect((await switchTo(client, user, "email")).status).toBe(303);
    // One code per address a minute: the sign-in's comes after the switch's.
    clock.advance(61_000);
    expect((await client.get("/settings/security")).text).toContain("Email code (weaker");

    const signIn = new HttpClient(app.baseUrl);
    expect((await signIn.submit("/login", "/login", { login: user.username, password: user.password })).location).toBe("/login/verify");
    const page = await signIn.get("/login/verify");
    expect(page.text).toContain("Email codes are weaker than an authenticator app.");
    const mail = await app.mail.waitFor(user.email, /sign-in code/);
    expect((await signIn.post("/login/verify", { code: codeIn(mail.text) })).status).toBe(303);
    expect((await signIn.get("/settings/profile")).status).toBe(200);
  });

  it("SMS: the second step asks for a code sent by SMS; a resend is throttled", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    expect((await switchTo(client, user, "sms")).status).toBe(303);
    clock.advance(61_000);

    const signIn = new HttpClient(app.baseUrl);
    await signIn.submit("/login", "/login", { login: user.username, password: user.password });
    const sms = await app.sms.waitFor(user.phone, /sign-in code/);
    await signIn.get("/login/verify");
    const resend = await signIn.post("/login/verify/resend", {});
    expect(resend.status).toBe(429);
    expect(resend.text).toMatch(/You can request a new code in \d+ s\./);
    expect((await signIn.post("/login/verify", { code: codeIn(sms.text) })).status).toBe(303);
  });

  it("refuses email or SMS without a verified address or phone", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const email = await choose(client, "email");
    expect(email.status).toBe(422);
    expect(email.text).toContain("Verify your email address first.");
    const sms = await choose(client, "sms");
    expect(sms.text).toContain("Verify a phone number first.");
    expect((await choose(client, "totp")).text).toContain("Turn on two-factor authentication first.");
    const [stored] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    expect(stored!.loginVerification).toBe("none");
  });

  it("forces the authenticator once TOTP is on", async () => {
    const user = await userWithVerifiedContacts();
    await enableTotpFor(app.deps, user);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    expect((await client.get("/login/verify")).text).toContain("Authentication code");
  });
});
