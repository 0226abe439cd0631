import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("jobs page", () => {
  it("shows instance administrators each queue and its failed jobs with the reason, never the payload; others get 403", async () => {
    // A payload no retry can fix fails at once (UnrecoverableError).
    await app.deps.queues.get("accounts").add("purge-account", { userId: "not-a-uuid", secret: "s3cret-payload" }, { jobId: "broken-purge-1" });
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    await expect
      .poll(async () => (await client.get("/admin/jobs")).text, { timeout: 10_000, interval: 100 })
      .toContain('data-job="broken-purge-1"');
    const page = await client.get("/admin/jobs");
    expect(page.text).toContain(`data-queue="accounts"`);
    expect(page.text).toContain(`href="/admin/jobs"`);
    expect(page.text).toContain("does not match its schema");
    expect(page.text).not.toContain("s3cret-payload");

    const member = await signedInClient(app.baseUrl, await createUser(app.deps));
    expect((await member.get("/admin/jobs")).status).toBe(403);
  });
});
