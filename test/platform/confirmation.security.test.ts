import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { isConfirmationGuard } from "../../src/web/confirm.js";
import { createUser, signedInClient } from "../helpers/factories.js";
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

export const EXPECTED = [
  "POST /settings/security/sessions/others/end",
  "POST /settings/security/sessions/:handle/end",
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
