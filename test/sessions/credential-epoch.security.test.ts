import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signedInClient } from "../helpers/factories.js";
import { sessionIdOf } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Signing out the other sessions is part of the credential change's own
// transaction (users.sessions_valid_after), not a Redis clean-up that may
// fail after the change committed: a session whose Redis key survives
// (as if that clean-up had failed) is still signed out.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const sessionKey = (sid: string) => `${app.redisPrefix}sess:${sid}`;

describe("the credential epoch", () => {
  it("signs out another session at its next request even when its Redis key is left behind", async () => {
    const user = await createUser(app.deps);
    const here = await signedInClient(app.baseUrl, user);
    const other = await signedInClient(app.baseUrl, user);
    const otherKey = sessionKey(sessionIdOf(other));
    const kept = await app.deps.redis.get(otherKey);

    const change = await here.post("/settings/security/password", {
      currentPassword: user.password,
      newPassword: "Another-Secret-91",
      confirmPassword: "Another-Secret-91",
      signOutOthersOffered: "1",
      signOutOthers: "1",
    });
    expect(change.status).toBe(303);
    // Put the ended session back, as a failed clean-up would have left it.
    await app.deps.redis.set(otherKey, kept!, "EX", 3600);

    expect((await other.get("/settings/security")).location).toMatch(/^\/login/);
    expect((await here.get("/settings/security")).status).toBe(200);
  });

  it("keeps the other sessions when the change does not end them", async () => {
    const user = await createUser(app.deps);
    const here = await signedInClient(app.baseUrl, user);
    const other = await signedInClient(app.baseUrl, user);
    const change = await here.post("/settings/security/password", {
      currentPassword: user.password,
      newPassword: "Another-Secret-92",
      confirmPassword: "Another-Secret-92",
      signOutOthersOffered: "1",
    });
    expect(change.status).toBe(303);
    expect((await other.get("/settings/security")).status).toBe(200);
    expect((await here.get("/settings/security")).status).toBe(200);
  });

  it("an administrator's new password signs out every session of the account, Redis key or not", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const user = await createUser(app.deps);
    const victim = await signedInClient(app.baseUrl, user);
    const key = sessionKey(sessionIdOf(victim));
    const kept = await app.deps.redis.get(key);
    const adminClient = await signedInClient(app.baseUrl, admin);
    await adminClient.get(`/admin/users/${user.id}`);
    const set = await adminClient.post(`/admin/users/${user.id}/password`, { confirmed: "yes", newPassword: "Admin-Chosen-93", confirmPassword: "Admin-Chosen-93" });
    expect(set.status).toBe(303);
    await app.deps.redis.set(key, kept!, "EX", 3600);
    expect((await victim.get("/settings/profile")).location).toMatch(/^\/login/);
  });
});
