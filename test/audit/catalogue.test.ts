import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, declaredEventTypes } from "../../src/modules/audit/index.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { catalogueGaps, logProducedEventTypes, producedEventsDir, readProducedEventTypes, SEEDED } from "./produced-events.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("event catalogue completeness", () => {
  it("logs the types a flow recorded, not rows a test seeded", async () => {
    const runId = `test-${randomBytes(4).toString("hex")}`;
    const user = await createUser(app.deps);
    await signedInClient(app.baseUrl, user);
    await app.deps.db.insert(auditEvents).values({ action: "two_factor.disabled", subjectId: user.id, details: SEEDED });
    await logProducedEventTypes(app.deps.db, runId);
    const produced = readProducedEventTypes(runId);
    rmSync(producedEventsDir(runId), { recursive: true, force: true });
    expect(produced.has("auth.signed_in")).toBe(true);
    expect(produced.has("two_factor.disabled")).toBe(false);
  });

  it("reports declared types no flow produced, and known gaps that are stale", () => {
    const declared = declaredEventTypes();
    expect(declared.length).toBeGreaterThan(20);
    const [first, second, third] = declared as [string, string, string];
    const produced = new Set(declared.filter((type) => type !== first && type !== second));
    expect(catalogueGaps(declared, produced, {})).toEqual({ missing: [first, second], stale: [] });
    expect(catalogueGaps(declared, produced, { [first]: "no flow yet" })).toEqual({ missing: [second], stale: [] });
    expect(catalogueGaps(declared, produced, { [first]: "x", [second]: "y", [third]: "produced now", "gone.type": "no longer declared" })).toEqual({
      missing: [],
      stale: [third, "gone.type"],
    });
  });
});
