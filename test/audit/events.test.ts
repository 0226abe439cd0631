import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, declaredEventTypes, defineEvents, eventTypeInfo, recordEvent } from "../../src/modules/audit/index.js";
import { createUser } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  // The app loads every module, so every module's events.ts has declared its types.
  app = await startTestApp();
});
afterAll(() => app.close());

const testEvents = defineEvents({
  probed: {
    type: "test.probed",
    label: "Probed by a test",
    event: (userId: string, to: string) => ({
      actorId: userId,
      subjectId: userId,
      details: { probe: true },
      notices: [{ to, subject: "Probe notice", text: ({ ip }) => `from ${ip}` }],
    }),
  },
});

describe("typed security events", () => {
  it("record the audit row and queue the notice in the caller's transaction", async () => {
    const user = await createUser(app.deps);
    await app.deps.db.transaction(async (tx) => {
      await recordEvent(tx, testEvents.probed(user.id, user.email), { ip: "192.0.2.7", userAgent: "test" });
    });
    const rows = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.subjectId, user.id));
    expect(rows.filter((row) => row.action === "test.probed")).toHaveLength(1);
    const mail = await app.mail.waitFor(user.email, /Probe notice/);
    expect(mail.text).toBe("from 192.0.2.7");
  });

  it("leave nothing behind when the transaction rolls back: no row, no notice", async () => {
    const user = await createUser(app.deps);
    await expect(
      app.deps.db.transaction(async (tx) => {
        await recordEvent(tx, testEvents.probed(user.id, user.email), { ip: "192.0.2.8", userAgent: "test" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const rows = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.subjectId, user.id));
    expect(rows.filter((row) => row.action === "test.probed")).toEqual([]);
    // A committed notice reaches the outbox within a second; give it three.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(app.mail.all().filter((mail) => mail.to === user.email && /Probe notice/.test(mail.subject))).toEqual([]);
  });

  it("are declared once each, every one with a label", () => {
    const types = declaredEventTypes();
    expect(types).toEqual(expect.arrayContaining(["auth.signed_in", "auth.second_factor_locked", "password.changed", "two_factor.enabled", "workspace.created", "session.ended"]));
    for (const type of types) expect(eventTypeInfo(type).label).not.toBe(type);
    expect(() => defineEvents({ again: { type: "test.probed", label: "Again", event: () => ({}) } })).toThrow(/declared twice/);
  });
});
