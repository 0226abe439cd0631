import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, DEFAULT_PASSWORD, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startSmtpCatcher, type CaughtMail, type SmtpCatcher } from "../helpers/smtp-catcher.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let smtp: SmtpCatcher;
let received: CaughtMail[] = [];
let app: TestApp;

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  received = smtp.received;
  app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: "Latchkey <noreply@latchkey.test>" } });
  await createUser(app.deps, { isInstanceAdmin: true });
});

afterAll(async () => {
  await app.close();
  await smtp.close();
});

describe("mail over SMTP", () => {
  it("delivers the welcome mail through the queue to a real SMTP server", async () => {
    received.length = 0;
    const client = new HttpClient(app.baseUrl);
    const fields = { username: "smtp_user", email: "smtp_user@example.test", password: DEFAULT_PASSWORD, confirmPassword: DEFAULT_PASSWORD };
    expect((await client.submit("/register", "/register", fields)).status).toBe(303);
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(["smtp_user@example.test"]);
    expect(received[0]!.from).toBe("noreply@latchkey.test");
    expect(received[0]!.raw).toContain("Subject: Welcome to Latchkey");
    expect(received[0]!.raw).toContain("smtp_user");
    expect(app.mail.all()).toHaveLength(0);
  });

  it("delivers a verification code over SMTP that binds the email address", async () => {
    received.length = 0;
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const address = `smtp-bind-${user.username}@example.test`;
    expect((await client.post("/settings/profile/email/send", { value: address })).status).toBe(303);
    const deadline = Date.now() + 10_000;
    while (!received.some((mail) => mail.to.includes(address)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const mail = received.find((candidate) => candidate.to.includes(address))!;
    expect(mail.raw).toContain("Subject: Your Latchkey verification code");
    const code = /code to verify this email address is (\d{6})/.exec(mail.raw.replace(/=\r?\n/g, ""))![1]!;
    expect((await client.post("/settings/profile/email/confirm", { code })).status).toBe(303);
    expect((await client.get("/settings/profile")).text).toContain(`data-testid="email-value">${address}<`);
  });
});
