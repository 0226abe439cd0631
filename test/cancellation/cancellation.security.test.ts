import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/modules/tokens/index.js";
import { accountCancellations } from "../../src/modules/cancellation/tables.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function member() {
  const owner = await createUser(app.deps);
  const user = await createUser(app.deps);
  await addMember(app.deps, await createWorkspace(app.deps, owner), user);
  return user;
}

describe("cancellation security", () => {
  it("identity verification belongs to the session that did it: another session of the same account starts at step 1", async () => {
    const user = await member();
    const first = await signedInClient(app.baseUrl, user);
    expect((await first.post("/settings/account/verify", { method: "password", password: user.password })).status).toBe(303);
    const second = await signedInClient(app.baseUrl, user);
    expect((await second.get("/settings/account")).text).toContain('data-step="verify"');
    expect((await second.post("/settings/account/cancel", { agree: "yes", username: user.username })).location).toBe("/settings/account");
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");
  });

  it("wrong passwords are limited: the 6th in 15 minutes is refused even before checking", async () => {
    const user = await member();
    const client = await signedInClient(app.baseUrl, user);
    for (let i = 0; i < 5; i++) expect((await client.post("/settings/account/verify", { method: "password", password: "wrong" }, { htmx: true })).status).toBe(422);
    expect((await client.post("/settings/account/verify", { method: "password", password: "wrong" }, { htmx: true })).status).toBe(429);
  });

  it("a method the account does not have is refused (SMS without a verified phone)", async () => {
    const user = await member();
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.post("/settings/account/code", { channel: "sms" }, { htmx: true })).status).toBe(422);
    expect((await client.post("/settings/account/verify", { method: "sms", code: "123456" }, { htmx: true })).status).toBe(422);
    expect((await client.get("/settings/account")).text).toContain('data-step="verify"');
  });

  it("the account's access tokens stop working at the commit", async () => {
    const user = await member();
    const issued = await createToken(app.deps, { id: user.id, isInstanceAdmin: false, tokenScopes: null }, user, { name: "cli", scopes: ["account:read"] }, { ip: "127.0.0.1", userAgent: "test" } as never);
    const me = () => fetch(`${app.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${issued.secret}` } });
    expect((await me()).status).toBe(200);
    const client = await signedInClient(app.baseUrl, user);
    await client.post("/settings/account/verify", { method: "password", password: user.password });
    expect((await client.post("/settings/account/cancel", { agree: "yes", username: user.username })).status).toBe(303);
    expect((await me()).status).toBe(401);
  });

  it("the status page needs the account's own link: another id with a valid-looking token is 404", async () => {
    const user = await member();
    const client = await signedInClient(app.baseUrl, user);
    await client.post("/settings/account/verify", { method: "password", password: user.password });
    const done = await client.post("/settings/account/cancel", { agree: "yes", username: user.username });
    const token = done.location!.split("/")[3]!;
    expect((await client.get(done.location!)).status).toBe(200);
    // Another cancelled account: its page exists, but not under this token.
    const other = await createUser(app.deps);
    await app.deps.db.insert(accountCancellations).values({ userId: other.id, cancelledAt: new Date(), ticketsCloseBy: new Date() });
    expect((await client.get(`/account-cancelled/${other.id}/${token}`)).status).toBe(404);
  });
});
