import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "../../src/modules/users/tables.js";
import { memberships, workspaces } from "../../src/modules/workspaces/tables.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

// Every test starts from a brand-new instance (no account yet): setup is a
// one-time transition, so tests sharing one app would depend on their order.
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => app.close());

const admin = {
  username: "root_admin",
  email: "admin@example.test",
  password: "Sturdy-pass-2026",
  confirmPassword: "Sturdy-pass-2026",
  workspaceName: "Acme Corp",
  workspaceSlug: "",
};

describe("first-run setup", () => {
  it("redirects every page to /setup while there is no account", async () => {
    const client = new HttpClient(app.baseUrl);
    for (const path of ["/", "/login", "/register", "/w/anything"]) {
      const response = await client.get(path);
      expect(response.status).toBe(303);
      expect(response.location).toBe("/setup");
    }
    expect((await client.get("/healthz")).status).toBe(200);
  });

  it("refuses invalid input with messages next to the fields and creates nothing", async () => {
    const client = new HttpClient(app.baseUrl);
    const response = await client.submit("/setup", "/setup", { ...admin, workspaceName: "", workspaceSlug: "Not A Slug" });
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-workspaceName-error">Use 2 to 64 characters.<');
    expect(response.text).toContain('id="field-workspaceSlug-error">Use lowercase letters, digits and single dashes.<');
    expect(await app.deps.db.select().from(users)).toHaveLength(0);
  });

  it("creates the instance administrator and the first workspace with a derived slug, then disappears", async () => {
    const client = new HttpClient(app.baseUrl);
    const response = await client.submit("/setup", "/setup", admin);
    expect(response.status).toBe(303);
    expect(response.location).toBe("/w/acme-corp");
    const home = await client.get("/w/acme-corp");
    expect(home.text).toContain("Acme Corp");
    expect(home.text).toContain("Your role: Owner");

    const [created] = await app.deps.db.select().from(users).where(eq(users.username, admin.username));
    expect(created!.isInstanceAdmin).toBe(true);
    const [workspace] = await app.deps.db.select().from(workspaces);
    const [owner] = await app.deps.db.select().from(memberships).where(eq(memberships.workspaceId, workspace!.id));
    expect(owner).toMatchObject({ userId: created!.id, role: "owner" });

    expect((await client.get("/setup")).status).toBe(404);
    const again = await new HttpClient(app.baseUrl).submit("/login", "/setup", { ...admin, username: "intruder", email: "x@example.test" });
    expect(again.status).toBe(404);
    expect(await app.deps.db.select().from(users)).toHaveLength(1);
  });
});
