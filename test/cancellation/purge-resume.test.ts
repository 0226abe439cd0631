import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/index.js";
import { purgeAccountJob } from "../../src/modules/cancellation/jobs.js";
import { accountCancellations } from "../../src/modules/cancellation/tables.js";
import { tickets } from "../../src/modules/tickets/tables.js";
import { backupCodes } from "../../src/modules/two-factor/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { addMember, createUser, createWorkspace, reloadUser } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

// The account is put in the cancelled state directly (no outbox row), so the
// in-process worker does not race the runs this test drives by hand.
async function cancelledAccountWithRows() {
  const owner = await createUser(app.deps);
  const user = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  await addMember(app.deps, workspace, user);
  await app.deps.db.insert(tickets).values({ workspaceId: workspace.id, authorId: user.id, subject: "s", body: "b" });
  // More than two batches' worth.
  await app.deps.db.execute(sql`insert into backup_codes (user_id, code_hash) select ${user.id}, 'h' || g from generate_series(1, 1200) g`);
  const now = new Date();
  await app.deps.db.update(users).set({ status: "cancelled" }).where(eq(users.id, user.id));
  await app.deps.db.insert(accountCancellations).values({ userId: user.id, cancelledAt: now, ticketsCloseBy: new Date(now.getTime() + 10 * 86_400_000) });
  return user;
}

const count = async (userId: string) => (await app.deps.db.select().from(backupCodes).where(eq(backupCodes.userId, userId))).length;

describe("purge-account", () => {
  it("a run that dies mid-way is finished by the next run; done steps are not redone, and a finished purge is left alone", async () => {
    const user = await cancelledAccountWithRows();
    // The first clock read is in the tickets step, after the earlier steps.
    const dying = { ...app.deps, clock: { now: () => { throw new Error("worker killed"); } } };
    await expect(purgeAccountJob.perform(dying, { userId: user.id }, { jobId: "t1" })).rejects.toThrow("worker killed");
    const [midway] = await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, user.id));
    expect(midway!.purgeStep).toBe("devices");
    expect(midway!.purgeCompletedAt).toBeNull();
    expect(await count(user.id)).toBe(0);
    expect((await reloadUser(app.deps, user.id)).email).toBe(user.email);

    await purgeAccountJob.perform(app.deps, { userId: user.id }, { jobId: "t1" });
    const [done] = await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, user.id));
    expect(done!.purgeCompletedAt).toBeInstanceOf(Date);
    expect((await reloadUser(app.deps, user.id)).email).not.toBe(user.email);
    const [ticket] = await app.deps.db.select().from(tickets).where(eq(tickets.body, "b"));
    expect(ticket).toMatchObject({ authorId: null, status: "closed" });

    await purgeAccountJob.perform(app.deps, { userId: user.id }, { jobId: "t2" });
    const [again] = await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, user.id));
    expect(again!.purgeCompletedAt).toEqual(done!.purgeCompletedAt);

    // The completion is in the activity log once (the dead run and the
    // finished purge's re-run record nothing), by no one, with no IP.
    const completed = await app.deps.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'account.purge_completed' and ${auditEvents.subjectId} = ${user.id}`);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ actorId: null, ip: null, userAgent: null });
    expect((completed[0]!.details as { steps: string[] }).steps.at(-1)).toBe("profile");
  });

  it("never touches an account that is not cancelled", async () => {
    const user = await createUser(app.deps);
    await app.deps.db.insert(accountCancellations).values({ userId: user.id, cancelledAt: new Date(), ticketsCloseBy: new Date() });
    await purgeAccountJob.perform(app.deps, { userId: user.id }, { jobId: "t3" });
    expect((await reloadUser(app.deps, user.id)).email).toBe(user.email);
  });
});
