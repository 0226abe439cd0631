import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function logRows(html: string): string[] {
  const table = /data-testid="security-log">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

describe("security log", () => {
  it("shows the user's own sign-ins, failures and changes with IP and client, newest first", async () => {
    const user = await createUser(app.deps);
    await new HttpClient(app.baseUrl).submit("/login", "/login", { login: user.username, password: "Wrong-password-1" });
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/security");
    await client.post("/settings/security/password", { currentPassword: user.password, newPassword: "Brand-new-pass-77", confirmPassword: "Brand-new-pass-77", signOutOthers: "1" });
    const rows = logRows((await client.get("/settings/security")).text);
    const position = (label: string) => rows.findIndex((row) => row.includes(label));
    expect(position("Password changed")).toBeGreaterThanOrEqual(0);
    expect(position("Password changed")).toBeLessThan(position("Signed in"));
    expect(position("Signed in")).toBeLessThan(position("! Failed sign-in attempt"));
    expect(rows[position("Signed in")]).toContain("127.0.0.1");
  });

  it("never shows another user's events", async () => {
    const alice = await createUser(app.deps);
    const bob = await createUser(app.deps);
    await new HttpClient(app.baseUrl).submit("/login", "/login", { login: bob.username, password: "Wrong-password-1" });
    const client = await signedInClient(app.baseUrl, alice);
    const rows = logRows((await client.get("/settings/security")).text);
    expect(rows.some((row) => row.includes("Failed sign-in attempt"))).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });
});
