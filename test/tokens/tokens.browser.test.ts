import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser } from "../helpers/factories.js";
import { callApi } from "./helpers.js";

// The tokens page in a real Chromium with htmx: create (the secret once, with
// a working copy button), inline modify in the row, an invalid entry shown
// next to the field, and a reload that never shows the secret again.
let page: Page;

const ctx = useBrowserApp();

describe("access tokens in the browser", { shuffle: false }, () => {
  let secret = "unset";

  it("creates a token with htmx and shows it once with a copy button", async () => {
    const user = await createUser(ctx.app.deps);
    page = await ctx.browser.newPage(ctx.app.baseUrl, { permissions: ["clipboard-read", "clipboard-write"] });
    await page.goto("/login");
    await submitSignIn(page, user.username, user.password);
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    await page.goto("/settings/tokens");
    await page.locator("#create-token").getByLabel("Name", { exact: true }).fill("laptop script");
    await page.getByLabel("Allowed IP addresses (optional)").fill("127.0.0.1\n2001:db8::/32");
    await page.getByRole("button", { name: "Create token" }).click();
    secret = (await page.getByTestId("token-secret").textContent())!.trim();
    expect(secret).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    expect(page.url()).toMatch(/\/settings\/tokens$/);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect((await callApi(ctx.app, "GET", "/me", { token: secret })).body.username).toBe(user.username);
  });

  it("modifies the row in place; a bad address is shown next to the field", async () => {
    const row = page.locator("[data-token]").first();
    await row.getByRole("link", { name: "Modify" }).click();
    const form = page.locator("[data-token] form");
    await form.getByLabel("Allowed IP addresses").fill("10.0.0.999");
    ctx.browser.expectFailure({ status: 422, path: /^\/settings\/tokens\/[0-9a-f-]+$/, method: "POST" });
    await form.getByRole("button", { name: "Save" }).click();
    await page.locator("[data-token] .field__error").filter({ hasText: "10.0.0.999" }).waitFor();
    await form.getByLabel("Name", { exact: true }).fill("renamed inline");
    await form.getByLabel("Allowed IP addresses").fill("127.0.0.0/8");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("token-name").filter({ hasText: "renamed inline" }).waitFor();
    expect(await page.locator("[data-token]").first().textContent()).toContain("127.0.0.0/8");
    // The secret did not change, and the page was never reloaded: it is still shown above.
    expect((await page.getByTestId("token-secret").textContent())!.trim()).toBe(secret);
    expect((await callApi(ctx.app, "GET", "/me", { token: secret })).status).toBe(200);
  });

  it("never shows the secret again after a reload", async () => {
    await page.reload();
    expect(await page.getByTestId("token-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByTestId("token-name").textContent()).toBe("renamed inline");
  });
});
