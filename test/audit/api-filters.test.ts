import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/index.js";
import { createUser } from "../helpers/factories.js";
import { SEEDED } from "./produced-events.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { callApi, issueToken } from "../tokens/helpers.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("GET /api/v1/audit-events filters", () => {
  it("filters by type, person and UTC days through the activity pages' service", async () => {
    const me = await createUser(app.deps);
    const admin = await createUser(app.deps);
    const { secret } = await issueToken(app, me, { scopes: ["audit:read"] });
    await app.deps.db.insert(auditEvents).values([
      { action: "password.changed", actorId: admin.id, subjectId: me.id, details: SEEDED, createdAt: new Date("2026-04-10T08:00:00Z") },
      { action: "password.changed", actorId: me.id, subjectId: me.id, details: SEEDED, createdAt: new Date("2026-04-11T08:00:00Z") },
      { action: "auth.signed_in", actorId: me.id, subjectId: me.id, details: SEEDED, createdAt: new Date("2026-04-11T09:00:00Z") },
    ]);
    const byType = await callApi(app, "GET", "/audit-events?type=password.changed", { token: secret });
    expect(byType.status).toBe(200);
    expect(byType.body.events.map((event: { type: string }) => event.type)).toEqual(["password.changed", "password.changed"]);
    const byPerson = await callApi(app, "GET", `/audit-events?person=${admin.username}`, { token: secret });
    expect(byPerson.body.events).toHaveLength(1);
    expect(byPerson.body.events[0]).toMatchObject({ type: "password.changed", byOther: true });
    const byDay = await callApi(app, "GET", "/audit-events?from=2026-04-11&to=2026-04-11&limit=1", { token: secret });
    expect(byDay.body.events).toHaveLength(1);
    expect(byDay.body.events[0].type).toBe("auth.signed_in");
    const nextDay = await callApi(app, "GET", `/audit-events?from=2026-04-11&to=2026-04-11&limit=1&cursor=${byDay.body.nextCursor}`, { token: secret });
    expect(nextDay.body.events.map((event: { type: string }) => event.type)).toEqual(["password.changed"]);
    expect(nextDay.body.nextCursor).toBeNull();
  });

  it("refuses invalid filters with 422 naming the field", async () => {
    const me = await createUser(app.deps);
    const { secret } = await issueToken(app, me, { scopes: ["audit:read"] });
    const badType = await callApi(app, "GET", "/audit-events?type=nope", { token: secret });
    expect(badType.status).toBe(422);
    expect(badType.body.error.field).toBe("type");
    const reversed = await callApi(app, "GET", "/audit-events?from=2026-04-12&to=2026-04-11", { token: secret });
    expect(reversed.status).toBe(422);
    expect(reversed.body.error.field).toBe("to");
    const badDay = await callApi(app, "GET", "/audit-events?from=12/04/2026", { token: secret });
    expect(badDay.status).toBe(422);
    expect(badDay.body.error.field).toBe("from");
  });
});
