import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, pruneAuditEvents } from "../../src/modules/audit/index.js";
import { createUser } from "../helpers/factories.js";
import { SEEDED } from "./produced-events.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  // A short retention, to see the variable reach the job.
  app = await startTestApp({ env: { AUDIT_RETENTION_DAYS: "30" } });
});
afterAll(() => app.close());

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

async function actionsOf(subjectId: string): Promise<string[]> {
  const rows = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(auditEvents.id);
  return rows.map((row) => row.action);
}

describe("audit retention", () => {
  it("deletes events older than the cut-off in batches, and only those", async () => {
    const user = await createUser(app.deps);
    const old = Array.from({ length: 5 }, (_, i) => ({ action: `old.${i}`, subjectId: user.id, details: SEEDED, createdAt: daysAgo(400 + i) }));
    await app.deps.db.insert(auditEvents).values([...old, { action: "young", subjectId: user.id, details: SEEDED, createdAt: daysAgo(364) }]);
    // Batches of 2: three statements (2, 2, 1) delete the five.
    expect(await pruneAuditEvents(app.deps.db, daysAgo(365), 2)).toBe(5);
    expect(await actionsOf(user.id)).toEqual(["young"]);
    expect(await pruneAuditEvents(app.deps.db, daysAgo(365), 2)).toBe(0);
  });

  it("runs as a daily BullMQ job scheduler that the worker registers, using AUDIT_RETENTION_DAYS", async () => {
    const queue = app.deps.queues.get("audit");
    let schedulers: Awaited<ReturnType<typeof queue.getJobSchedulers>> = [];
    for (let i = 0; i < 50 && schedulers.length === 0; i++) {
      schedulers = await queue.getJobSchedulers();
      if (schedulers.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(schedulers).toEqual([expect.objectContaining({ key: "audit.prune", name: "audit.prune", pattern: "17 3 * * *", tz: "UTC" })]);

    // One run now, through the real queue and worker.
    const user = await createUser(app.deps);
    await app.deps.db.insert(auditEvents).values([
      { action: "older", subjectId: user.id, details: SEEDED, createdAt: daysAgo(31) },
      { action: "recent", subjectId: user.id, details: SEEDED, createdAt: daysAgo(29) },
    ]);
    await queue.add("audit.prune", {});
    for (let i = 0; i < 100 && (await actionsOf(user.id)).length > 1; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await actionsOf(user.id)).toEqual(["recent"]);
  });
});
