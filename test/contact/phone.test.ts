import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient, reloadUser } from "../helpers/factories.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

describe("phone", () => {
  it("binds a number in E.164 with an SMS code, then changes it after an SMS code to the old number", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    expect((await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" })).status).toBe(303);
    const sms = await app.sms.waitFor("+447911123456", /Latchkey code/);
    expect((await client.post("/settings/profile/phone/confirm", { code: codeIn(sms.text) })).status).toBe(303);
    const bound = await reloadUser(app.deps, user.id);
    expect(bound.phone).toBe("+447911123456");
    expect(bound.phoneVerifiedAt).not.toBeNull();

    clock.advance(61_000);
    await client.post("/reauth", { method: "password", password: user.password, return_to: "/settings/profile" });
    await client.post("/settings/profile/phone/start", {});
    await client.post("/settings/profile/phone/identity/send", {});
    const identity = await app.sms.waitFor("+447911123456", /to confirm it is you/);
    expect((await client.post("/settings/profile/phone/identity/verify", { code: codeIn(identity.text) })).status).toBe(303);
    await client.post("/settings/profile/phone/send", { value: "+1 415 555 2671" });
    const next = await app.sms.waitFor("+14155552671", /Latchkey code/);
    await client.post("/settings/profile/phone/confirm", { code: codeIn(next.text) });
    expect((await reloadUser(app.deps, user.id)).phone).toBe("+14155552671");
    // The change is told by email, the numbers masked.
    const notice = await app.mail.waitFor(user.email, /phone number was changed/);
    expect(notice.text).toMatch(/from \+44•+56 to \+14•+71/);
    expect(notice.text).not.toContain("+14155552671");
  });

  it("refuses numbers that are not valid international numbers", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    for (const value of ["07700 900123", "+44 12", "call me", ""]) {
      const response = await client.post("/settings/profile/phone/send", { value });
      expect(response.status).toBe(422);
      expect(response.text).toMatch(/id="field-value-error">(Enter a valid number in international format, e\.g\. \+44 7911 123456\.|Enter a phone number\.)</);
    }
    expect((await reloadUser(app.deps, user.id)).phone).toBeNull();
  });

  it("refuses a number bound to another account without saying whose", async () => {
    const owner = await createUser(app.deps);
    const ownerClient = await signedInClient(app.baseUrl, owner);
    await ownerClient.get("/settings/profile");
    await ownerClient.post("/settings/profile/phone/send", { value: "+33 6 12 34 56 78" });
    const sms = await app.sms.waitFor("+33612345678", /Latchkey code/);
    await ownerClient.post("/settings/profile/phone/confirm", { code: codeIn(sms.text) });

    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    const response = await client.post("/settings/profile/phone/send", { value: "+33612345678" });
    expect(response.status).toBe(409);
    expect(response.text).toContain("That phone number is already used by another account.");
    expect(response.text).not.toContain(owner.username);
  });
});

describe("SMS webhook transport", () => {
  let gateway: Server;
  let received: Array<{ body: unknown; contentType: string | undefined }> = [];
  let failNext = 0;
  let webhookApp: TestApp;

  beforeAll(async () => {
    gateway = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(502).end();
          return;
        }
        received.push({ body: JSON.parse(body), contentType: req.headers["content-type"] });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const port = (gateway.address() as AddressInfo).port;
    webhookApp = await startTestApp({ env: { SMS_WEBHOOK_URL: `http://127.0.0.1:${port}/sms` } });
  });
  afterAll(async () => {
    await webhookApp.close();
    await new Promise((resolve) => gateway.close(resolve));
  });

  it("POSTs {to, text} as JSON and is retried by the queue when the gateway fails", async () => {
    received = [];
    failNext = 1;
    const user = await createUser(webhookApp.deps);
    const client = await signedInClient(webhookApp.baseUrl, user);
    await client.get("/settings/profile");
    expect((await client.post("/settings/profile/phone/send", { value: "+49 1512 3456789" })).status).toBe(303);
    const deadline = Date.now() + 15_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(failNext).toBe(0);
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe("application/json");
    expect(received[0]!.body).toMatchObject({ to: "+4915123456789", text: expect.stringMatching(/Latchkey code: \d{6}/) });
    // The code still works after the retried delivery.
    const code = codeIn((received[0]!.body as { text: string }).text);
    expect((await client.post("/settings/profile/phone/confirm", { code })).status).toBe(303);
  });
});
