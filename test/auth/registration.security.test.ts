import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { REGISTRATIONS_PER_HOUR } from "../../src/modules/auth/registration-limit.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, DEFAULT_PASSWORD } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("registration probing", () => {
  it("caps sign-up attempts per IP, so taken emails cannot be harvested at scale", async () => {
    const known = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.get("/register");
    for (let i = 0; i < REGISTRATIONS_PER_HOUR; i++) {
      const response = await client.post("/register", { username: `probe_${i}`, email: known.email, password: DEFAULT_PASSWORD, confirmPassword: DEFAULT_PASSWORD });
      expect(response.status).toBe(409);
    }
    const capped = await client.post("/register", { username: "probe_last", email: "fresh@example.test", password: DEFAULT_PASSWORD, confirmPassword: DEFAULT_PASSWORD });
    expect(capped.status).toBe(429);
    expect(capped.text).toContain("Too many sign-up attempts from your network.");
    expect(await app.deps.db.select().from(users).where(eq(users.email, "fresh@example.test"))).toHaveLength(0);
  });
});
