import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient, reloadUser } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

async function freshClient(user: { username: string; password: string }) {
  const client = await signedInClient(app.baseUrl, user);
  await client.get("/settings/profile");
  return client;
}

async function bindEmail(client: HttpClient, address: string) {
  expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(303);
  const mail = await app.mail.waitFor(address, /verification code/);
  return client.post("/settings/profile/email/confirm", { code: codeIn(mail.text) });
}

describe("bind email", () => {
  it("sends a code to the address and binds it with the code", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    const page = await client.get("/settings/profile");
    expect(page.text).toContain("Not verified");
    const address = `bound-${user.username}@example.test`;
    const response = await bindEmail(client, address);
    expect(response.status).toBe(303);
    const stored = await reloadUser(app.deps, user.id);
    expect(stored.email).toBe(address);
    expect(stored.emailVerifiedAt).not.toBeNull();
    const after = await client.get("/settings/profile");
    expect(after.text).toContain("Your email address is verified and saved.");
    expect(after.text).toContain(`data-testid="email-value">${address}<`);
  });

  it("with htmx answers with the email card only and shows the resend countdown", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    const response = await client.post("/settings/profile/email/send", { value: `htmx-${user.username}@example.test` }, { htmx: true });
    expect(response.status).toBe(200);
    expect(response.text.trimStart()).toMatch(/^<section class="card contact" id="contact-email" data-stage="code"/);
    expect(response.text).toContain("Resend in 60 s");
    clock.advance(18_000);
    const countdown = await client.get("/settings/profile/email/resend", { "hx-request": "true" });
    expect(countdown.text).toContain("Resend in 42 s");
    clock.advance(43_000);
    expect((await client.get("/settings/profile/email/resend", { "hx-request": "true" })).text).not.toContain("Resend in");
  });

  it("refuses an invalid address or one used by another account, next to the field, binding nothing", async () => {
    const other = await createUser(app.deps);
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    const invalid = await client.post("/settings/profile/email/send", { value: "not-an-email" });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('id="field-value-error">Enter a valid email address.<');
    const taken = await client.post("/settings/profile/email/send", { value: other.email.toUpperCase() });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain("That email address is already used by another account.");
    expect(taken.text).not.toContain(other.username);
    expect(app.mail.all().filter((mail) => mail.to === other.email.toUpperCase())).toHaveLength(0);
    expect((await reloadUser(app.deps, user.id)).emailVerifiedAt).toBeNull();
  });

  it("refuses a wrong code with the tries left and keeps the old address", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    await client.post("/settings/profile/email/send", { value: `wrong-${user.username}@example.test` });
    const mail = await app.mail.waitFor(`wrong-${user.username}@example.test`, /verification code/);
    const wrongCode = codeIn(mail.text) === "000000" ? "111111" : "000000";
    const response = await client.post("/settings/profile/email/confirm", { code: wrongCode });
    expect(response.status).toBe(422);
    expect(response.text).toContain("That code is not correct. 4 tries left.");
    const malformed = await client.post("/settings/profile/email/confirm", { code: "12ab" });
    expect(malformed.text).toContain('id="field-code-error">Enter the 6-digit code.<');
    expect((await reloadUser(app.deps, user.id)).email).toBe(user.email);
  });

  it("refuses an expired code after 10 minutes", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    const address = `late-${user.username}@example.test`;
    await client.post("/settings/profile/email/send", { value: address });
    const mail = await app.mail.waitFor(address, /verification code/);
    clock.advance(10 * 60_000 + 1000);
    await client.get("/settings/profile"); // keeps the session active
    const reauth = await client.post("/reauth", { method: "password", password: user.password, return_to: "/settings/profile" });
    expect(reauth.status).toBe(303);
    const response = await client.post("/settings/profile/email/confirm", { code: codeIn(mail.text) });
    expect(response.status).toBe(422);
    expect(response.text).toContain("This code has expired or was already used. Request a new one.");
  });
});

describe("change email", () => {
  it("verifies identity with a code to the current address, then the new address with its own code, and notifies the old one", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    const first = `first-${user.username}@example.test`;
    await bindEmail(client, first);
    clock.advance(61_000);

    expect((await client.post("/settings/profile/email/start", {})).status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain("Step 1 of 2");
    await client.post("/settings/profile/email/identity/send", {});
    const identityMail = await app.mail.waitFor(first, /verification code/, { text: /to confirm it is you/ });
    expect(identityMail.text).toContain("to confirm it is you");
    const verified = await client.post("/settings/profile/email/identity/verify", { code: codeIn(identityMail.text) });
    expect(verified.status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain("Step 2 of 2");

    const second = `second-${user.username}@example.test`;
    await client.post("/settings/profile/email/send", { value: second });
    // Nothing switches before the new address is verified.
    expect((await reloadUser(app.deps, user.id)).email).toBe(first);
    const newMail = await app.mail.waitFor(second, /verification code/);
    expect((await client.post("/settings/profile/email/confirm", { code: codeIn(newMail.text) })).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).email).toBe(second);
    const notice = await app.mail.waitFor(first, /email address was changed/);
    expect(notice.text).toContain("se•");
    // The new address is told too, with when, from where and what to do if it was not you.
    const toNew = await app.mail.waitFor(second, /email address was changed/);
    for (const mail of [notice, toNew]) {
      expect(mail.text).toMatch(/When: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2}/);
      expect(mail.text).toContain("From: 127.0.0.1");
      expect(mail.text).toContain("Device: ");
      expect(mail.text).toContain(`Not you? Sign out your other sessions and change your password now: ${app.deps.config.baseUrl}/settings/security`);
    }
  });

  it("accepts the password instead of a code for the identity step", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    await bindEmail(client, `pw-${user.username}@example.test`);
    await client.post("/settings/profile/email/start", {});
    const wrong = await client.post("/settings/profile/email/identity/verify", { password: "Not-my-password-1" });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('id="field-password-error">That password is not correct.<');
    expect((await client.post("/settings/profile/email/identity/verify", { password: user.password })).status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain("Step 2 of 2");
  });

  it("cannot skip the identity step", async () => {
    const user = await createUser(app.deps);
    const client = await freshClient(user);
    await bindEmail(client, `skip-${user.username}@example.test`);
    const response = await client.post("/settings/profile/email/send", { value: `skipped-${user.username}@example.test` });
    expect(response.status).toBe(409);
    expect(response.text).toContain("That step has expired. Start again.");
  });
});
