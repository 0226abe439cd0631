import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowserApp } from "../helpers/browser.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { accountByEmail, person, workspaceWithSso } from "./helpers.js";

// In Chromium: single sign-on through a real OpenID provider on loopback,
// from the sign-in page by email domain and from /sso/:slug, and the page a
// member sees when the provider is down.
let op: TestOidcProvider;

beforeAll(async () => {
  op = await startOidcProvider({ clients: [] });
});
const ctx = useBrowserApp(() => ({ localhostOrigin: true, env: { PROVIDER_TIMEOUT_SECONDS: "1" } }));
afterAll(async () => {
  await op?.stop();
});

describe("single sign-on in Chromium", () => {
  it("signs a new person in from the sign-in page by their email domain, creating their SSO account", async () => {
    const domain = `b${Date.now().toString(36)}.example`;
    const { workspace } = await workspaceWithSso(ctx.app, op, { domains: [domain] });
    const someone = person({ email: `robin@${domain}`, name: "Robin" });
    op.setAccount(someone);

    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/login");
    await page.getByLabel("Work email").fill(someone.email);
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await page.waitForURL(`**/sso/${workspace.slug}`);
    await page.getByRole("link", { name: "Continue with single sign-on" }).click();
    await page.waitForURL(`${op.issuer}/interaction/**`);
    await page.getByLabel("Login").fill(someone.sub);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`**/w/${workspace.slug}`);
    await expect.poll(() => page.title()).toContain(workspace.name);

    const account = await accountByEmail(ctx.app, someone.email);
    expect(account).toMatchObject({ ssoWorkspaceId: workspace.id, passwordHash: null });
  });

  it("signs a returning person in from /sso/:slug, and shows a clear page when the provider is down", async () => {
    const { workspace } = await workspaceWithSso(ctx.app, op);
    const someone = person();
    op.setAccount(someone);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);

    for (let round = 0; round < 2; round++) {
      await page.context().clearCookies();
      await page.goto(`/sso/${workspace.slug}`);
      await page.getByRole("link", { name: "Continue with single sign-on" }).click();
      await page.waitForURL(`${op.issuer}/interaction/**`);
      await page.getByLabel("Login").fill(someone.email);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL(`**/w/${workspace.slug}`);
    }

    await page.context().clearCookies();
    await page.goto(`/sso/${workspace.slug}`);
    await op.down();
    try {
      ctx.browser.expectFailure({ status: 502, path: `/sso/${workspace.slug}/start`, method: "GET" });
      await page.getByRole("link", { name: "Continue with single sign-on" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("The identity provider cannot be reached right now.");
    } finally {
      await op.up();
    }
  });
});
