import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { SEEDED } from "./produced-events.js";

// SECURITY.md: user-controlled fields (user agent, names) are neutralised in
// every view and in CSV (no formula injection, no forged rows).

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function seed(values: Array<Partial<typeof auditEvents.$inferInsert> & { action: string }>) {
  await app.deps.db.insert(auditEvents).values(values.map((value) => ({ ...value, details: { ...value.details, ...SEEDED } })));
}

describe("activity pages", () => {
  it("escape HTML and drop CR/LF from user agents", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const workspace = await createWorkspace(app.deps, admin);
    const hostile = 'Mozilla/5.0 (<script>alert(1)</script>) "><img src=x onerror=alert(2)>\r\nInjected: yes';
    await seed([{ action: "auth.signed_in", actorId: admin.id, subjectId: admin.id, workspaceId: workspace.id, userAgent: hostile }]);
    const client = await signedInClient(app.baseUrl, admin);
    for (const path of ["/settings/security/activity", `/w/${workspace.slug}/activity`, "/admin/activity"]) {
      const html = (await client.get(path)).text;
      expect(html).not.toContain("<script>alert(1)");
      expect(html).not.toContain("<img src=x");
    }
    // The filter values typed are echoed back into the form, escaped.
    const echoed = (await client.get(`/admin/activity?person=${encodeURIComponent('"><script>alert(3)</script>')}`)).text;
    expect(echoed).not.toContain("<script>alert(3)");
    expect(echoed).toContain('value="&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
  });
});

describe("CSV export", () => {
  it("holds every matching row, with formulas and line breaks neutralised", async () => {
    const me = await createUser(app.deps);
    await seed([
      { action: "auth.signed_in", actorId: me.id, subjectId: me.id, ip: "192.0.2.9", userAgent: '=HYPERLINK("http://evil.test")\r\nforged,row', details: { note: "+1" } },
      { action: "auth.signed_in", actorId: me.id, subjectId: me.id, userAgent: "@SUM(A1)" },
      { action: "auth.signed_in", actorId: me.id, subjectId: me.id, userAgent: "-2+3" },
    ]);
    const client = await signedInClient(app.baseUrl, me);
    const csv = await client.get("/settings/security/activity.csv?type=auth.signed_in");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toContain("security-activity.csv");
    const lines = csv.text.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("time_utc,type,event,actor,subject,workspace,ip,place,user_agent,details");
    // Three seeded rows plus the sign-in of this very client.
    expect(lines).toHaveLength(5);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.test"") forged,row"`);
    expect(csv.text).toContain(",'@SUM(A1),");
    expect(csv.text).toContain(",'-2+3,");
    for (const line of lines) expect(line).not.toMatch(/,[=+\-@]/);
  });
});

