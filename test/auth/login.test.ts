import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import argon2 from "argon2";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { addMember, createUser, createWorkspace } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("sign-in and sign-out", () => {
  it("signs in with the username or the email in any letter case and lands in the first workspace", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    for (const login of [user.username, user.email.toUpperCase()]) {
      const client = new HttpClient(app.baseUrl);
      const response = await client.submit("/login", "/login", { login, password: user.password });
      expect(response.status).toBe(303);
      const home = await client.get(response.location!);
      expect(home.location).toBe(`/w/${workspace.slug}`);
      const page = await client.get(`/w/${workspace.slug}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(workspace.name);
      expect(page.text).toContain("Your role: Owner");
    }
  });

  it("returns to a same-origin return_to after sign-in, never to another site", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    const gated = await client.get("/settings/profile");
    expect(gated.location).toBe("/login?return_to=%2Fsettings%2Fprofile");
    let response = await client.submit(gated.location!, "/login", { login: user.username, password: user.password, return_to: "/settings/profile" });
    expect(response.location).toBe("/settings/profile");

    const other = new HttpClient(app.baseUrl);
    response = await other.submit("/login", "/login", { login: user.username, password: user.password, return_to: "//evil.example/steal" });
    expect(response.location).toBe("/");
  });

  it("answers a wrong password with the generic message and records the failure", async () => {
    const user = await createUser(app.deps);
    const response = await new HttpClient(app.baseUrl).submit("/login", "/login", { login: user.username, password: "Wrong-password-1" });
    expect(response.status).toBe(401);
    expect(response.text).toContain("Incorrect username, email or password.");
    const failures = await app.deps.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_failed"), eq(auditEvents.subjectId, user.id)));
    expect(failures).toHaveLength(1);
  });

  it("shows field messages for an empty form", async () => {
    const response = await new HttpClient(app.baseUrl).submit("/login", "/login", { login: "", password: "" });
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-login-error">Enter your username or email.<');
    expect(response.text).toContain('id="field-password-error">Enter your password.<');
  });

  it("sign-out destroys the server session", async () => {
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: user.username, password: user.password });
    const stolenCookie = client.cookie("latchkey.sid")!;
    await client.get("/settings/profile");
    const response = await client.post("/logout", {});
    expect(response.location).toBe("/login");

    const replay = new HttpClient(app.baseUrl);
    replay.setCookie("latchkey.sid", stolenCookie);
    expect((await replay.get("/settings/profile")).location).toMatch(/^\/login/);
  });

  it("upgrades a hash made with weaker parameters at the next sign-in", async () => {
    const user = await createUser(app.deps);
    const weakHash = await argon2.hash(user.password, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await app.deps.db.update(users).set({ passwordHash: weakHash }).where(eq(users.id, user.id));
    const response = await new HttpClient(app.baseUrl).submit("/login", "/login", { login: user.username, password: user.password });
    expect(response.status).toBe(303);
    const [stored] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    expect(stored!.passwordHash).toContain("m=19456,p=1,t=2");
  });

  it("a member sees their role on the workspace home", async () => {
    const owner = await createUser(app.deps);
    const member = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await addMember(app.deps, workspace, member, "admin");
    const client = new HttpClient(app.baseUrl);
    await client.submit("/login", "/login", { login: member.username, password: member.password });
    const page = await client.get(`/w/${workspace.slug}`);
    expect(page.text).toContain("Your role: Admin");
  });
});
