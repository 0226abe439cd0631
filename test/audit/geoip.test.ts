import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../helpers/factories.js";
import { HttpClient, type HttpResponse } from "../helpers/http-client.js";
import { testGeoDatabase } from "../helpers/mmdb-writer.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// With GEOIP_DATABASE set, notices and every activity view name the
// approximate place of an IP: "Berlin, Germany (203.0.113.7)"; an address the
// database does not hold, or a private one, shows alone. The client's address
// comes from X-Forwarded-For through one trusted proxy (TRUST_PROXY=1).

let app: TestApp;
beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-geo-"));
  const database = path.join(dir, "city.mmdb");
  writeFileSync(database, testGeoDatabase());
  app = await startTestApp({ env: { GEOIP_DATABASE: database, TRUST_PROXY: "1" } });
});
afterAll(() => app.close());

class ClientAt extends HttpClient {
  constructor(baseUrl: string, private readonly ip: string) {
    super(baseUrl);
  }
  override request(method: string, requestPath: string, init: { body?: string | FormData; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    return super.request(method, requestPath, { ...init, headers: { "x-forwarded-for": this.ip, ...init.headers } });
  }
}

async function signInFrom(ip: string, user: { username: string; password: string }) {
  const client = new ClientAt(app.baseUrl, ip);
  expect((await client.submit("/login", "/login", { login: user.username, password: user.password })).status).toBe(303);
  await client.get("/settings/profile");
  return client;
}

async function changePasswordFrom(client: HttpClient, current: string, next: string) {
  const response = await client.post("/settings/security/password", { currentPassword: current, newPassword: next, confirmPassword: next, signOutOthersOffered: "1" });
  expect(response.status).toBe(303);
}

describe("approximate place of an IP", () => {
  it("names the place in the notice mail, the activity page, the security log and the CSV", async () => {
    const user = await createUser(app.deps);
    const client = await signInFrom("203.0.113.7", user);
    await changePasswordFrom(client, user.password, "Moved-To-Berlin-93");

    const mail = await app.mail.waitFor(user.email, /password was changed/);
    expect(mail.text).toContain("From: Berlin, Germany (203.0.113.7)");
    expect(mail.text).toMatch(/When: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2} UTC/);
    expect(mail.text).toContain("Device: ");

    const page = await client.get("/settings/security/activity?type=password.changed");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Berlin, Germany (203.0.113.7)");
    expect((await client.get("/settings/security")).text).toContain("Berlin, Germany (203.0.113.7)");

    const csv = await client.get("/settings/security/activity.csv?type=password.changed");
    const [header, row] = csv.text.split("\r\n");
    expect(header).toBe("time_utc,type,event,actor,subject,workspace,ip,place,user_agent,details");
    expect(row).toContain(',203.0.113.7,"Berlin, Germany",');

    const signIns = await client.get("/settings/security/activity?type=auth.signed_in");
    expect(signIns.text).toContain("Berlin, Germany (203.0.113.7)");
  });

  it("shows the country alone when the database has no city", async () => {
    const user = await createUser(app.deps);
    const client = await signInFrom("198.51.100.20", user);
    expect((await client.get("/settings/security/activity?type=auth.signed_in")).text).toContain("France (198.51.100.20)");
  });

  it("shows the IP alone for an address not in the database and for a private one", async () => {
    const user = await createUser(app.deps);
    const outside = await signInFrom("192.0.2.44", user);
    await changePasswordFrom(outside, user.password, "Nowhere-Known-57");
    const mail = await app.mail.waitFor(user.email, /password was changed/);
    expect(mail.text).toContain("From: 192.0.2.44\n");

    const other = await createUser(app.deps);
    const inside = await signInFrom("10.1.2.3", other);
    const page = (await inside.get("/settings/security/activity?type=auth.signed_in")).text;
    expect(page).toContain("10.1.2.3");
    // The test database names 10.0.0.0/8 "Nowhere, Private": never looked up.
    expect(page).not.toContain("Nowhere");
  });
});
