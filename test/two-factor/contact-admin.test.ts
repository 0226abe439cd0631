import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createUser, createWorkspace } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor, signedInWithTotp } from "../helpers/two-factor.js";

// "Contact an administrator" (seeds 000/001): if the backup codes are lost
// too, an administrator resets 2FA. Said on the two-step verification page,
// the backup-codes page and the 2FA section, naming who can help.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("contact an administrator", () => {
  it("the 2FA section names the workspace's owner and admins and the instance administrators; the verification and backup-codes pages say who can help", async () => {
    const root = await createUser(app.deps, { isInstanceAdmin: true });
    const owner = await createUser(app.deps);
    const admin = await createUser(app.deps);
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner, "Analytical Engines");
    await addMember(app.deps, workspace, admin, "admin");
    await addMember(app.deps, workspace, user);
    const { secret } = await enableTotpFor(app.deps, user);

    const signIn = new HttpClient(app.baseUrl);
    await signIn.submit("/login", "/login", { login: user.username, password: user.password });
    const verify = await signIn.get("/login/verify");
    expect(verify.text).toContain('data-testid="contact-admin"');
    expect(verify.text).toContain("Lost your authenticator and your backup codes?");
    expect(verify.text).toContain("the owner or an admin of your workspace, or an instance administrator, can reset two-factor authentication for you");
    // Nobody is named to someone who has only typed a password.
    expect(verify.text).not.toContain(owner.username);

    const self = await signedInWithTotp(app.baseUrl, app.deps, user, secret);
    const security = await self.get("/settings/security");
    expect(security.text).toContain('data-testid="contact-admin"');
    expect(security.text).toContain(`In Analytical Engines: ${owner.username} (owner), ${admin.username} (admin)`);
    expect(security.text).toContain(`Instance administrators: ${root.username}`);

    const codes = await self.post("/settings/security/two-factor/backup-codes", { confirmed: "yes" });
    expect(codes.status).toBe(200);
    expect(codes.text).toContain('data-testid="contact-admin"');
  });
});

