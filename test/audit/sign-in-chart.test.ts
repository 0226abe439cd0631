import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { presentChart } from "../../src/modules/audit/chart.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { SEEDED } from "./produced-events.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const DAY_MS = 86_400_000;
// Noon UTC, `days` days ago: far from any day boundary.
function noonDaysAgo(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12) - days * DAY_MS);
}
const dayKey = (date: Date) => date.toISOString().slice(0, 10);

function chartRows(html: string): Map<string, number[]> {
  const body = /data-testid="sign-in-chart-data">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.replace(/<[^>]+>/g, " ").trim().split(/\s+/));
  return new Map(rows.map(([day, ...counts]) => [day!, counts.map(Number)]));
}

describe("30-day sign-in chart", () => {
  it("counts a workspace's sign-ins, its members' failures and lockouts per UTC day, as SVG and a data table", async () => {
    const owner = await createUser(app.deps);
    const member = await createUser(app.deps);
    const stranger = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const elsewhere = await createWorkspace(app.deps, stranger);
    await addMember(app.deps, workspace, member);
    const [yesterday, threeDaysAgo] = [noonDaysAgo(1), noonDaysAgo(3)];
    const rows = [
      { action: "auth.signed_in", subjectId: member.id, actorId: member.id, workspaceId: workspace.id, createdAt: yesterday },
      { action: "auth.signed_in", subjectId: member.id, actorId: member.id, workspaceId: workspace.id, createdAt: yesterday },
      { action: "auth.signed_in", subjectId: stranger.id, actorId: stranger.id, workspaceId: elsewhere.id, createdAt: yesterday },
      { action: "auth.sign_in_failed", subjectId: member.id, details: { ...SEEDED, accountLocked: false, reason: "wrong_password" }, createdAt: threeDaysAgo },
      { action: "auth.sign_in_failed", subjectId: member.id, details: { ...SEEDED, accountLocked: true, reason: "wrong_password" }, createdAt: threeDaysAgo },
      { action: "auth.second_factor_locked", subjectId: member.id, details: { ...SEEDED, method: "totp" }, createdAt: threeDaysAgo },
      { action: "auth.sign_in_failed", subjectId: stranger.id, details: { ...SEEDED, accountLocked: false }, createdAt: threeDaysAgo },
      { action: "auth.signed_in", subjectId: member.id, actorId: member.id, workspaceId: workspace.id, createdAt: noonDaysAgo(40) },
    ];
    await app.deps.db.insert(auditEvents).values(rows.map((row) => ({ details: SEEDED, ...row })));

    const client = await signedInClient(app.baseUrl, owner);
    const html = (await client.get(`/w/${workspace.slug}/activity`)).text;
    expect(html).toMatch(/<svg viewBox="0 0 600 160"[^>]*role="img"/);
    expect(html.match(/<polyline /g)).toHaveLength(3);
    const table = chartRows(html);
    expect(table.size).toBe(30);
    expect(table.get(dayKey(yesterday))).toEqual([2, 0, 0]);
    expect(table.get(dayKey(threeDaysAgo))).toEqual([0, 2, 2]);
    expect(table.has(dayKey(noonDaysAgo(40)))).toBe(false);

    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const adminHtml = (await (await signedInClient(app.baseUrl, admin)).get("/admin/activity")).text;
    expect(chartRows(adminHtml).get(dayKey(yesterday))).toEqual([3, 0, 0]);
    expect(chartRows(adminHtml).get(dayKey(threeDaysAgo))).toEqual([0, 3, 2]);
    // The user's own page has no chart.
    expect((await client.get("/settings/security/activity")).text).not.toContain("sign-in-chart");
  });

  it("counts today live while the finished days come from a short cache", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const client = await signedInClient(app.baseUrl, owner);
    const first = chartRows((await client.get(`/w/${workspace.slug}/activity`)).text);
    const today = dayKey(new Date());
    const signedInToday = first.get(today)![0]!;
    const key = `${app.redisPrefix}audit-chart:workspace:${workspace.id}:${today}`;
    expect(await app.deps.redis.ttl(key)).toBeGreaterThan(0);

    // A sign-in today shows at once; a finished day waits for the cache.
    await app.deps.db.insert(auditEvents).values([
      { action: "auth.signed_in", subjectId: owner.id, actorId: owner.id, workspaceId: workspace.id, details: SEEDED },
      { action: "auth.signed_in", subjectId: owner.id, actorId: owner.id, workspaceId: workspace.id, details: SEEDED, createdAt: noonDaysAgo(2) },
    ]);
    const second = chartRows((await client.get(`/w/${workspace.slug}/activity`)).text);
    expect(second.get(today)![0]).toBe(signedInToday + 1);
    expect(second.get(dayKey(noonDaysAgo(2)))).toEqual([0, 0, 0]);
    await app.deps.redis.del(key);
    const third = chartRows((await client.get(`/w/${workspace.slug}/activity`)).text);
    expect(third.get(dayKey(noonDaysAgo(2)))).toEqual([1, 0, 0]);
  });

  it("scales the lines to the busiest day", () => {
    const days = [
      { day: "2026-01-01", succeeded: 0, failed: 0, lockouts: 0 },
      { day: "2026-01-02", succeeded: 4, failed: 2, lockouts: 0 },
    ];
    const chart = presentChart(days);
    expect(chart.max).toBe(4);
    expect(chart.series[0]!.points).toBe("24.0,136.0 576.0,24.0");
    expect(chart.series[1]!.points).toBe("24.0,136.0 576.0,80.0");
  });
});
