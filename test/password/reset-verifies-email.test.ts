import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "../../src/modules/users/tables.js";
import { createUser, reloadUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// One rule for an unverified email (issue 16): a reset link goes to the
// account's address whether or not it is verified, and using it proves the
// mailbox, so the address becomes verified; the profile says exactly that.
// A link mailed to an address the account no longer has verifies nothing.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

type TestUser = Awaited<ReturnType<typeof createUser>>;

async function mailedLink(user: { email: string }): Promise<string> {
  const mail = await app.mail.waitFor(user.email, /Reset your Latchkey password/);
  return /https?:\/\/[^/\s]+(\/reset-password\/[A-Za-z0-9_-]+)\s/.exec(mail.text)![1]!;
}

async function useLink(link: string, password: string) {
  const client = new HttpClient(app.baseUrl);
  await client.get(link);
  return client.post(link, { newPassword: password, confirmPassword: password });
}

async function unverified(user: TestUser) {
  await app.deps.db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, user.id));
}

describe("a reset link and an unverified email", () => {
  it("goes to the unverified address, works, and verifies it", async () => {
    const user = await createUser(app.deps);
    await unverified(user);
    const profile = await (await signedInClient(app.baseUrl, user)).get("/settings/profile");
    expect(profile.text).toContain("Password reset links and security notices go to this address. Verify it with a code now; using a reset link also verifies it.");
    expect(profile.text).not.toContain("A verified email lets you recover your password");

    await new HttpClient(app.baseUrl).submit("/forgot-password", "/forgot-password", { login: user.username });
    expect((await useLink(await mailedLink(user), "Fresh-Start-2027")).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).emailVerifiedAt).not.toBeNull();
    const after = await (await signedInClient(app.baseUrl, { ...user, password: "Fresh-Start-2027" })).get("/settings/profile");
    expect(after.text).toContain("Password reset links and security notices go to this address.");
  });

  it("mailed to an address the account has since changed, it still resets the password but verifies nothing", async () => {
    const user = await createUser(app.deps);
    await unverified(user);
    await new HttpClient(app.baseUrl).submit("/forgot-password", "/forgot-password", { login: user.username });
    const link = await mailedLink(user);
    await app.deps.db.update(users).set({ email: `moved-${user.email}` }).where(eq(users.id, user.id));
    expect((await useLink(link, "Moved-To-Berlin-93")).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).emailVerifiedAt).toBeNull();
  });

  it("an already verified address keeps its verification time", async () => {
    const user = await createUser(app.deps);
    const before = new Date("2026-01-02T03:04:05Z");
    await app.deps.db.update(users).set({ emailVerifiedAt: before }).where(eq(users.id, user.id));
    await new HttpClient(app.baseUrl).submit("/forgot-password", "/forgot-password", { login: user.username });
    expect((await useLink(await mailedLink(user), "Sturdy-pass-2026")).status).toBe(303);
    expect((await reloadUser(app.deps, user.id)).emailVerifiedAt).toEqual(before);
  });
});
