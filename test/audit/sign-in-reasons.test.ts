import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { users } from "../../src/modules/users/index.js";
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
});
