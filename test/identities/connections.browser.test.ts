import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser } from "../helpers/factories.js";
import { addProvider } from "../helpers/identities.js";
import { startOAuthStandIn, type OAuthStandIn } from "../helpers/oauth-stand-ins.js";

// The seed's journey in Chromium: click Bind, authorize on the platform, be
// redirected back, and the status says Bound; then sign in with it.
let github: OAuthStandIn;

beforeAll(async () => {
  github = await startOAuthStandIn("github");
});
const ctx = useBrowserApp(() => ({ localhostOrigin: true, env: github.env() }));
beforeAll(async () => {
  const admin = await createUser(ctx.app.deps, { isInstanceAdmin: true });
  await addProvider(ctx.app.deps, admin, { kind: "github", clientId: github.clientId, clientSecret: github.clientSecret });
});
afterAll(async () => {
  await github?.close();
});

describe("linked accounts in the browser", () => {
  it("binds GitHub: Bind, authorize at GitHub, back with the status Bound; then Continue with GitHub signs in", async () => {
    const user = await createUser(ctx.app.deps);
    // No avatar: this machine cannot reach GitHub's image host.
    github.signInAs({ id: "4242", login: "browser-octocat", email: "browser-octocat@github.example", avatar: "none" });
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/login");
    await submitSignIn(page, user.username, user.password);
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));

    await page.goto("/settings/connections");
    const row = page.locator('[data-provider="github"]');
    expect((await row.getByTestId("connection-status").textContent())!.trim()).toBe("Not bound");
    await row.getByRole("button", { name: "Bind" }).click();
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/connections");
    expect((await row.getByTestId("connection-status").textContent())!.trim()).toBe("Bound");
    expect((await row.getByTestId("connection-login").textContent())!.trim()).toBe("browser-octocat");

    // Signed out, the sign-in page offers GitHub and it signs this account in.
    const visitor = await ctx.browser.newPage(ctx.app.baseUrl);
    await visitor.goto("/login");
    await visitor.getByRole("button", { name: "Continue with GitHub" }).click();
    await visitor.getByRole("button", { name: "Authorize" }).click();
    await visitor.waitForURL((url) => !url.pathname.startsWith("/login") && !url.pathname.startsWith("/auth/"));
    expect((await visitor.getByTestId("signed-in-user").textContent())!.trim()).toBe(user.username);

    // Unbind asks through the confirmation dialog, then the row says Not bound.
    await row.getByRole("button", { name: "Unbind" }).click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Unbind GitHub" }).click();
    await page.locator('[data-provider="github"] [data-testid="connection-status"]', { hasText: "Not bound" }).waitFor();
  });
});
