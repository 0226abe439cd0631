import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { users } from "../../src/modules/users/index.js";
import { createLoginThrottle } from "../../src/web/sign-in/throttle.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function failedReasons(subjectId: string | null, ip?: string) {
  const rows = await app.deps.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.sign_in_failed"), subjectId ? eq(auditEvents.subjectId, subjectId) : undefined))
    .orderBy(auditEvents.id);
  return rows.filter((row) => !ip || row.ip === ip).map((row) => row.details);
}

function activityRows(html: string): string[] {
  const body = /data-testid="activity-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

describe("sign-in outcomes in the catalogue", () => {
  it("record why a sign-in failed (wrong password, disabled account, unknown account) and which factors a success used", async () => {
    const user = await createUser(app.deps);
    const disabled = await createUser(app.deps);
    await app.deps.db.update(users).set({ status: "locked" }).where(eq(users.id, disabled.id));
    const visitor = new HttpClient(app.baseUrl);
    await visitor.submit("/login", "/login", { login: user.username, password: "Wrong-password-1" });
    await visitor.submit("/login", "/login", { login: disabled.username, password: disabled.password });
    const ghost = `ghost_${Date.now()}`;
    await visitor.submit("/login", "/login", { login: ghost, password: "Wrong-password-1" });

    expect(await failedReasons(user.id)).toEqual([{ accountLocked: false, reason: "wrong_password" }]);
    expect(await failedReasons(disabled.id)).toEqual([{ accountLocked: false, reason: "account_locked" }]);
    const unknown = await failedReasons(null);
    expect(unknown.some((details) => (details as { reason?: string }).reason === "unknown_account")).toBe(true);

    await signedInClient(app.baseUrl, user);
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const adminClient = await signedInClient(app.baseUrl, admin);
    const rows = activityRows((await adminClient.get(`/admin/activity?person=${user.username}`)).text);
    expect(rows.some((row) => row.includes("Failed sign-in attempt") && row.includes("Reason: wrong password"))).toBe(true);
    expect(rows.some((row) => row.includes("Signed in") && row.includes("With password"))).toBe(true);
    const disabledRows = activityRows((await adminClient.get(`/admin/activity?person=${disabled.username}`)).text);
    expect(disabledRows.some((row) => row.includes("Reason: right password, account disabled"))).toBe(true);
  });

  it("record an attempt on an account whose sign-in is paused, at most once a minute", async () => {
    const user = await createUser(app.deps);
    // Ten failures from ten addresses pause the account (as the throttle test shows over HTTP).
    const throttle = createLoginThrottle(app.deps.redis, app.redisPrefix);
    for (let i = 0; i < 10; i++) await throttle.recordFailure(`user:${user.id}`, `203.0.113.${i + 1}`);
    const visitor = new HttpClient(app.baseUrl);
    for (let i = 0; i < 3; i++) {
      const refused = await visitor.submit("/login", "/login", { login: user.username, password: user.password });
      expect(refused.status).toBe(429);
    }
    expect(await failedReasons(user.id)).toEqual([{ accountLocked: false, reason: "account_paused" }]);
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const rows = activityRows((await (await signedInClient(app.baseUrl, admin)).get(`/admin/activity?person=${user.username}`)).text);
    expect(rows.some((row) => row.includes("Reason: sign-in paused after too many failures"))).toBe(true);
  });
});
