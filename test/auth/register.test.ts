import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { users } from "../../src/modules/users/tables.js";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { createUser, DEFAULT_PASSWORD, uniqueName } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

function registration(overrides: Record<string, string> = {}) {
  const username = uniqueName("new");
  return { username, email: `${username}@example.test`, password: DEFAULT_PASSWORD, confirmPassword: DEFAULT_PASSWORD, ...overrides };
}

describe("registration", () => {
  it("creates the account, signs in, leads to the first workspace and sends a welcome mail", async () => {
    const client = new HttpClient(app.baseUrl);
    const fields = registration();
    const response = await client.submit("/register", "/register", fields);
    expect(response.status).toBe(303);
    expect(response.location).toBe("/workspaces/new?first=1");

    const next = await client.get("/workspaces/new?first=1");
    expect(next.text).toContain("Create your first workspace");
    expect(next.text).toContain(fields.username);

    const mail = await app.mail.waitFor(fields.email, /Welcome to Latchkey/);
    expect(mail.text).toContain(fields.username);
    const [audit] = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.action, "user.registered"));
    expect(audit?.ip).toBeTruthy();
  });

  it.each([
    [{ username: "ab" }, "username", "Use 3 to 32 characters."],
    [{ username: "bad name!" }, "username", "Use only letters, digits, _ and -."],
    [{ email: "not-an-email" }, "email", "Enter a valid email address."],
    [{ password: "short1!", confirmPassword: "short1!" }, "password", "Use at least 8 characters."],
    [{ password: "onlyletters", confirmPassword: "onlyletters" }, "password", "Use at least two of: letters, digits, symbols."],
    [{ password: "password123", confirmPassword: "password123" }, "password", "This password is too easy to guess. This is a commonly used password. Add more words that are less common."],
    [{ confirmPassword: "Something-else-1" }, "confirmPassword", "The passwords do not match."],
  ])("refuses %o with a message next to %s and stores nothing", async (overrides, field, message) => {
    const client = new HttpClient(app.baseUrl);
    const fields = registration(overrides);
    const response = await client.submit("/register", "/register", fields);
    expect(response.status).toBe(422);
    expect(response.text).toMatch(new RegExp(`id="field-${field}-error">${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}<`));
    const rows = await app.deps.db.select().from(users).where(eq(sql`lower(${users.email})`, fields.email.toLowerCase()));
    expect(rows).toHaveLength(0);
  });

  it("refuses a password containing the username", async () => {
    const fields = registration();
    fields.password = fields.confirmPassword = `${fields.username}-9!`;
    const response = await new HttpClient(app.baseUrl).submit("/register", "/register", fields);
    expect(response.status).toBe(422);
    expect(response.text).toContain("The password must not contain your username.");
  });

  it("refuses a username taken in another letter case", async () => {
    const existing = await createUser(app.deps);
    const response = await new HttpClient(app.baseUrl).submit("/register", "/register", registration({ username: existing.username.toUpperCase() }));
    expect(response.status).toBe(409);
    expect(response.text).toContain("That username is taken.");
  });

  it("with htmx answers with only the form fragment, keeping what was typed", async () => {
    const client = new HttpClient(app.baseUrl);
    const fields = registration({ email: "nope" });
    const response = await client.submit("/register", "/register", fields, { htmx: true });
    expect(response.status).toBe(422);
    expect(response.text.trimStart().startsWith("<form")).toBe(true);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain(`value="${fields.username}"`);
    expect(response.text).not.toContain(DEFAULT_PASSWORD);
  });
});
