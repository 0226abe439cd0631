import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { noticeContext } from "../../src/modules/audit/events.js";
import { users } from "../../src/modules/users/index.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { SEEDED } from "./produced-events.js";

// SECURITY.md: user-controlled fields are neutralised in every view of the
// log, not only the three activity pages (activity.security.test.ts): the
// security page's log, the workspace settings page's log and the CSV, for a
// user agent and for a name. Names are validated at registration; one that
// reached the table some other way (an old row, a provider's claim) must
// still come out as text on one line.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const HOSTILE_AGENT = 'Mozilla/5.0 (<script>alert(1)</script>) "><img src=x onerror=alert(2)>\r\nInjected: yes';
const HOSTILE_NAME = "<b>eve</b>\r\n=cmd|' /C calc'!A0";

function expectNeutral(html: string) {
  expect(html).not.toContain("<script>alert(1)");
  expect(html).not.toContain("<img src=x");
  expect(html).not.toContain("<b>eve</b>");
  expect(html).not.toMatch(/eve&lt;\/b&gt;\r?\n/);
}

describe("every view of the log", () => {
  it("escapes HTML and puts CR/LF on one line in the security page's log, the workspace settings log, the activity pages and the CSV", async () => {
    const owner = await createUser(app.deps, { isInstanceAdmin: true });
    const workspace = await createWorkspace(app.deps, owner);
    const eve = await createUser(app.deps);
    await addMember(app.deps, workspace, eve);
    await app.deps.db.update(users).set({ username: HOSTILE_NAME }).where(eq(users.id, eve.id));
    await app.deps.db.insert(auditEvents).values([
      { action: "auth.signed_in", actorId: owner.id, subjectId: owner.id, workspaceId: workspace.id, userAgent: HOSTILE_AGENT, details: SEEDED },
      { action: "member.role_changed", actorId: owner.id, subjectId: eve.id, workspaceId: workspace.id, userAgent: HOSTILE_AGENT, details: { ...SEEDED, before: "member", after: "admin" } },
      { action: "session.ended", actorId: eve.id, subjectId: owner.id, workspaceId: workspace.id, userAgent: HOSTILE_AGENT, details: SEEDED },
    ]);
    const client = await signedInClient(app.baseUrl, owner);

    const securityPage = (await client.get("/settings/security")).text;
    expect(securityPage).toContain('data-testid="security-log"');
    expectNeutral(securityPage);

    const settings = (await client.get(`/w/${workspace.slug}/settings`)).text;
    expect(settings).toContain('data-testid="workspace-activity"');
    expectNeutral(settings);
    expect(settings).toContain("&lt;b&gt;eve&lt;/b&gt; =cmd");

    for (const path of ["/settings/security/activity", `/w/${workspace.slug}/activity`, "/admin/activity"]) {
      const html = (await client.get(path)).text;
      expectNeutral(html);
      expect(html).toContain("&lt;b&gt;eve&lt;/b&gt; =cmd");
    }

    for (const path of [`/w/${workspace.slug}/activity.csv`, "/admin/activity.csv"]) {
      const csv = (await client.get(path)).text;
      const lines = csv.split("\r\n").filter(Boolean);
      // Every line after the header is an event: no CR/LF from a name or a user agent starts a row.
      expect(lines.length).toBeGreaterThanOrEqual(4);
      for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(csv).toContain("<b>eve</b> =cmd");
      expect(csv).not.toMatch(/,=cmd/);
    }
  });

  it("keeps a notice's device line on one line whatever the user agent says", () => {
    const context = noticeContext({ ip: "192.0.2.1", userAgent: "Evil\r\nBcc: victim@example.test", place: null }, new Date());
    expect(context.device).not.toMatch(/[\r\n]/);
    expect(context.from).toBe("192.0.2.1");
  });
});
