import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { manualClock } from "../../src/platform/clock.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { totpCodeFor } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

// Changing the sign-in verification method needs a code from the new
// method (seed 002): email and SMS switch only once the code sent over that
// channel is entered, the authenticator only with a current code; a code
// for one method does nothing for another; "password only" needs the fresh
// sign-in (sensitive-routes.security.test.ts) and no code.
const clock = manualClock(new Date("2026-11-23T09:00:10Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

let counter = 0;
async function userWithVerifiedContacts() {
  const user = await createUser(app.deps);
  const phone = `+4479111${String(20000 + ++counter * 7 + Math.floor(Math.random() * 1000)).padStart(5, "0")}`;
  await app.deps.db.update(users).set({ emailVerifiedAt: new Date(), phone, phoneVerifiedAt: new Date() }).where(eq(users.id, user.id));
  return { ...user, phone };
}

const methodOf = async (id: string) => (await app.deps.db.select().from(users).where(eq(users.id, id)))[0]!.loginVerification;

async function choose(client: HttpClient, fields: Record<string, string>) {
  await client.get("/settings/security");
  return client.post("/settings/security/login-verification", fields);
}

describe("switching the sign-in verification method", () => {
  it("to email: sends a code to the address and switches only when it is entered", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    const first = await choose(client, { method: "email" });
    expect(first.status).toBe(303);
    expect(await methodOf(user.id)).toBe("none");
    const mail = await app.mail.waitFor(user.email, /verification code/, { text: /verify sign-ins by email/ });

    const page = await client.get("/settings/security");
    expect(page.text).toContain('data-testid="login-verification-code"');
    expect(page.text).toMatch(/enter the code we sent to [^<]*•/);

    const wrong = await client.post("/settings/security/login-verification", { method: "email", code: "000000" === codeIn(mail.text) ? "111111" : "000000" }, { htmx: true });
    expect(wrong.status).toBe(422);
    expect(await methodOf(user.id)).toBe("none");
    const empty = await client.post("/settings/security/login-verification", { method: "email", code: "" }, { htmx: true });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("Enter the 6-digit code.");

    const ok = await client.post("/settings/security/login-verification", { method: "email", code: codeIn(mail.text) });
    expect(ok.status).toBe(303);
    expect(await methodOf(user.id)).toBe("email");
    expect((await client.get("/settings/security")).text).not.toContain('data-testid="login-verification-code"');
  });

  it("to SMS: the code goes by SMS; the email code of another switch does not count for it", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    await choose(client, { method: "email" });
    const mail = await app.mail.waitFor(user.email, /verification code/, { text: /verify sign-ins by email/ });
    await choose(client, { method: "sms" });
    const sms = await app.sms.waitFor(user.phone, /verify sign-ins by SMS/);
    // The email code is refused for SMS, and the email switch is no longer pending.
    expect((await client.post("/settings/security/login-verification", { method: "sms", code: codeIn(mail.text) })).status).toBe(422);
    expect((await client.post("/settings/security/login-verification", { method: "email", code: codeIn(mail.text) })).status).toBe(409);
    expect(await methodOf(user.id)).toBe("none");
    expect((await client.post("/settings/security/login-verification", { method: "sms", code: codeIn(sms.text) })).status).toBe(303);
    expect(await methodOf(user.id)).toBe("sms");
  });

  it("a code posted without choosing first changes nothing", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    const response = await client.post("/settings/security/login-verification", { method: "email", code: "123456" });
    expect(response.status).toBe(409);
    expect(response.text).toContain("Choose the verification method again.");
    expect(await methodOf(user.id)).toBe("none");
  });

  it("to the authenticator: asks for a current code and accepts it once", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    await enableTotpFor(app.deps, user);
    await app.deps.db.update(users).set({ loginVerification: "email" }).where(eq(users.id, user.id));
    const asked = await choose(client, { method: "totp" });
    expect(asked.status).toBe(303);
    expect(await methodOf(user.id)).toBe("email");
    expect((await client.get("/settings/security")).text).toContain("enter the current code from your authenticator app");
    expect((await client.post("/settings/security/login-verification", { method: "totp", code: "000000" })).status).toBe(422);
    expect(await methodOf(user.id)).toBe("email");
    // The next time step: the enrolment used the current one.
    clock.advance(30_000);
    expect((await client.post("/settings/security/login-verification", { method: "totp", code: await totpCodeFor(app.deps, user.id) })).status).toBe(303);
    expect(await methodOf(user.id)).toBe("totp");
  });

  it("back to the password only: no code, at once", async () => {
    const user = await userWithVerifiedContacts();
    const client = await signedInClient(app.baseUrl, user);
    await app.deps.db.update(users).set({ loginVerification: "sms" }).where(eq(users.id, user.id));
    expect((await choose(client, { method: "none" })).status).toBe(303);
    expect(await methodOf(user.id)).toBe("none");
  });
});
