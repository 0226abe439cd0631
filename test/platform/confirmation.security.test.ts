import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { isConfirmationGuard } from "../../src/web/confirm.js";
import { eq } from "drizzle-orm";
import { memberships } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Confirm before destroying (src/web/confirm.ts). The list below is every
// route that must ask first, read from the app's own router: removing the
// guard from one fails the first test. A POST without the confirmed flag
// (a form submitted without JavaScript, or a forged one) destroys nothing
// and answers with the confirmation step.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface Layer {
  rawPath?: string;
  handle: { stack?: Layer[] } & ((...args: never[]) => unknown);
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}

function confirmedRoutes(stack: Layer[], prefix = ""): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      if (!layer.route.stack.some((entry) => isConfirmationGuard(entry.handle))) return [];
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${prefix}${layer.route!.path}`);
    }
    const nested = layer.handle.stack;
    if (!nested) return [];
    const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
    return confirmedRoutes(nested, prefix + mount);
  });
}

const EXPECTED = [
  "POST /settings/security/sessions/others/end",
  "POST /settings/security/sessions/:handle/end",
  "POST /settings/security/two-factor/backup-codes",
  "POST /settings/security/two-factor/disable",
  "POST /settings/security/passkeys/:id/delete",
  "POST /settings/tokens/:id/delete",
  "POST /settings/tokens/:id/roll",
  "POST /admin/users/:userId/tokens/:id/delete",
  "POST /admin/users/:userId/tokens/:id/roll",
  "POST /admin/users/:id/password",
  "POST /admin/users/:id/two-factor/reset",
  "POST /admin/users/:id/disable",
  "POST /admin/users/:id/delete",
  "POST /w/:slug/members/:userId/remove",
  "POST /w/:slug/members/:userId/two-factor/reset",
  "POST /w/:slug/members/invitations/:invitationId/revoke",
  "POST /w/:slug/settings/ownership",
  "POST /w/:slug/settings/sso/delete",
  "POST /settings/account/workspaces/delete",
  // Linked accounts (issue 16's later modules).
  "POST /settings/connections/:slug/unbind",
];

describe("destructive routes", () => {
  it("all ask for confirmation", () => {
    const express = createApp(app.deps) as unknown as { router: { stack: Layer[] } };
    expect(confirmedRoutes(express.router.stack).sort()).toEqual([...EXPECTED].sort());
  });
});

describe("signing out all other sessions", () => {
  it("without the flag shows the confirmation step and signs nobody out; with it, signs the others out", async () => {
    const user = await createUser(app.deps);
    const here = await signedInClient(app.baseUrl, user);
    const elsewhere = await signedInClient(app.baseUrl, user);
    await here.get("/settings/security");

    const asked = await here.post("/settings/security/sessions/others/end", {}, { headers: { referer: `${app.baseUrl}/settings/security` } });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('data-testid="confirm-step"');
    expect(asked.text).toContain("Sign out all other sessions?");
    expect(asked.text).toMatch(/<input type="hidden" name="confirmed" value="yes">/);
    expect(asked.text).toContain('href="/settings/security"');
    expect((await elsewhere.get("/settings/profile")).status).toBe(200);

    // A value other than "yes" is no confirmation either.
    expect((await here.post("/settings/security/sessions/others/end", { confirmed: "true" })).text).toContain('data-testid="confirm-step"');
    expect((await elsewhere.get("/settings/profile")).status).toBe(200);

    const done = await here.post("/settings/security/sessions/others/end", { confirmed: "yes" });
    expect(done.status).toBe(303);
    const after = await elsewhere.get("/settings/profile");
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login/);
  });

  it("with htmx but without the flag answers with the step in the main area and changes nothing", async () => {
    const user = await createUser(app.deps);
    const here = await signedInClient(app.baseUrl, user);
    const elsewhere = await signedInClient(app.baseUrl, user);
    await here.get("/settings/security");
    const asked = await here.post("/settings/security/sessions/others/end", {}, { htmx: true });
    expect(asked.status).toBe(200);
    expect(asked.headers.get("hx-retarget")).toBe("#main");
    expect(asked.text).toContain('data-testid="confirm-step"');
    expect((await elsewhere.get("/settings/profile")).status).toBe(200);
  });
});

describe("every destructive action without the flag", () => {
  it.each(EXPECTED)("%s answers with the confirmation step", async (route) => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const workspace = await createWorkspace(app.deps, admin);
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, member);
    const client = await signedInClient(app.baseUrl, admin);
    await client.get("/settings/security");
    const path = route
      .split(" ")[1]!
      .replace(":slug", workspace.slug)
      .replace(":userId", member.id)
      .replace(":id", member.id)
      .replace(":handle", "a-session-handle")
      .replace(":invitationId", member.id);
    const response = await client.post(path, { slug: workspace.slug, userId: member.id, confirmName: workspace.name, code: "123456" });
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-testid="confirm-step"');
    // The step posts the same fields back to the same action, with the flag.
    expect(response.text).toContain(`action="${path}"`);
    expect(response.text).toContain(`name="confirmName" value="${workspace.name}"`);
  });

  it("deletes, disables, removes and transfers nothing", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const workspace = await createWorkspace(app.deps, admin);
    const member = await createUser(app.deps);
    const heir = await createUser(app.deps);
    await addMember(app.deps, workspace, member);
    await addMember(app.deps, workspace, heir);
    const client = await signedInClient(app.baseUrl, admin);
    const memberClient = await signedInClient(app.baseUrl, member);
    await client.get("/settings/security");

    await client.post(`/admin/users/${member.id}/disable`, {});
    await client.post(`/admin/users/${heir.id}/delete`, {});
    await client.post(`/w/${workspace.slug}/members/${member.id}/remove`, {});
    await client.post(`/w/${workspace.slug}/settings/ownership`, { userId: heir.id, confirmName: workspace.name });
    await client.post(`/admin/users/${member.id}/password`, { newPassword: "Unrelated-Horse-Staple-71", confirmPassword: "Unrelated-Horse-Staple-71" });

    expect((await reloadUser(app.deps, member.id)).status).toBe("active");
    expect((await reloadUser(app.deps, heir.id)).status).toBe("active");
    expect((await memberClient.get(`/w/${workspace.slug}`)).status).toBe(200);
    const roles = await app.deps.db.select().from(memberships).where(eq(memberships.workspaceId, workspace.id));
    expect(Object.fromEntries(roles.map((row) => [row.userId, row.role]))).toEqual({ [admin.id]: "owner", [member.id]: "member", [heir.id]: "member" });

    // The same requests with the flag go through.
    expect((await client.post(`/w/${workspace.slug}/members/${member.id}/remove`, { confirmed: "yes" })).status).toBe(303);
    expect((await client.post(`/admin/users/${heir.id}/disable`, { confirmed: "yes" })).status).toBe(303);
    expect((await reloadUser(app.deps, heir.id)).status).toBe("locked");
  });
});
