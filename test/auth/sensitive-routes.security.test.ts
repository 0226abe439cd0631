import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { manualClock } from "../../src/platform/clock.js";
import { isFreshAuthGuard } from "../../src/web/guards.js";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Every route behind requireFreshAuth, read from the app's own router: the
// list below is what must be sensitive (removing the guard from one fails the
// first test), and each of them, with a sign-in older than 15 minutes, sends
// the browser to /reauth and changes nothing (the second).
const clock = manualClock(new Date("2026-11-24T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

interface Layer {
  rawPath?: string;
  handle: { stack?: Layer[] } & ((...args: never[]) => unknown);
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}

function sensitiveRoutes(stack: Layer[], prefix = ""): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      if (!layer.route.stack.some((entry) => isFreshAuthGuard(entry.handle))) return [];
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${prefix}${layer.route!.path}`);
    }
    const nested = layer.handle.stack;
    if (!nested) return [];
    const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
    return sensitiveRoutes(nested, prefix + mount);
  });
}

const EXPECTED = [
  "GET /settings/security/two-factor/setup",
  "POST /admin/users/:id/password",
  "POST /admin/users/:id/two-factor/reset",
  "POST /settings/profile/:channel/confirm",
  "POST /settings/profile/:channel/identity/send",
  "POST /settings/profile/:channel/identity/verify",
  "POST /settings/profile/:channel/send",
  "POST /settings/profile/:channel/start",
  "POST /settings/security/login-verification",
  "POST /settings/security/login-verification/resend",
  "POST /settings/security/password",
  "POST /settings/security/sessions/:handle/end",
  "POST /settings/security/sessions/others/end",
  "POST /settings/security/two-factor/backup-codes",
  "POST /settings/security/two-factor/reenrol",
  "POST /settings/security/two-factor/setup",
  "POST /w/:slug/members/:userId/two-factor/reset",
  "POST /w/:slug/settings/sessions",
  "POST /w/:slug/settings/two-factor",
  // Workspace single sign-on (issue 11).
  "POST /w/:slug/settings/sso",
  "POST /w/:slug/settings/sso/delete",
  // Sign-in providers and linked accounts (issue 11).
  "POST /admin/providers",
  "POST /admin/providers/:slug",
  "POST /settings/connections/:slug/bind",
  "POST /settings/connections/:slug/unbind",
  // Member and instance-user administration (issue 13).
  "POST /admin/settings/registration",
  "POST /admin/users",
  "POST /admin/users/:id/admin/grant",
  "POST /admin/users/:id/admin/revoke",
  "POST /admin/users/:id/delete",
  "POST /admin/users/:id/disable",
  "POST /admin/users/:id/email",
  "POST /admin/users/:id/enable",
  "POST /admin/users/:id/two-factor",
  "POST /admin/users/:id/username",
  "POST /w/:slug/members/:userId/remove",
  "POST /w/:slug/members/:userId/role",
  "POST /w/:slug/members/add",
  "POST /w/:slug/settings/ownership",
  // Passkeys (issue 10).
  "POST /settings/security/passkeys",
  "POST /settings/security/passkeys/:id/delete",
  "POST /settings/security/passkeys/:id/rename",
  "POST /settings/security/passkeys/new",
  // Access tokens, the user's own and an administrator's (issue 12).
  "POST /settings/tokens",
  "POST /settings/tokens/:id",
  "POST /settings/tokens/:id/delete",
  "POST /settings/tokens/:id/roll",
  "POST /admin/users/:userId/tokens",
  "POST /admin/users/:userId/tokens/:id",
  "POST /admin/users/:userId/tokens/:id/delete",
  "POST /admin/users/:userId/tokens/:id/roll",
];

describe("routes marked sensitive", () => {
  it("are exactly the credential, factor, session, contact and administration changes", () => {
    const express = createApp(app.deps) as unknown as { router: { stack: Layer[] } };
    expect(sensitiveRoutes(express.router.stack).sort()).toEqual([...EXPECTED].sort());
  });

  it.each(EXPECTED)("%s with a 16-minute-old sign-in goes to /reauth first", async (route) => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const workspace = await createWorkspace(app.deps, admin);
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, member);
    const client = await signedInClient(app.baseUrl, admin);
    clock.advance(16 * 60_000);
    const [method, pattern] = route.split(" ") as [string, string];
    const path = pattern
      .replace(":slug", workspace.slug)
      .replace(":userId", member.id)
      .replace(":id", member.id)
      .replace(":channel", "email")
      .replace(":handle", "a-session-handle");
    const response = method === "GET" ? await client.get(path) : await client.post(path, { code: "123456", requireTwoFactor: "on", sessionIdleMinutes: "60", sessionMaxDays: "1" });
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/^\/reauth\?return_to=/);
  });
});
