import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowserApp } from "../helpers/browser.js";
import { createUser } from "../helpers/factories.js";
import { codeForSecret } from "../helpers/totp.js";

// The layout in Chromium: the account menu with the keyboard and without
// JavaScript, the skip link, the settings navigation folding into "Menu" on a
// phone, and a one-time-code field that takes a pasted "123 456".

const ctx = useBrowserApp();

async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto("/login");
  await page.fill("input[name=login]", user.username);
  await page.fill("input[name=password]", user.password);
  await page.locator("form[action='/login'] button[type=submit]").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

describe("account menu", () => {
  it("is a menu button the keyboard opens, moves through, follows and closes", async () => {
    const admin = await createUser(ctx.app.deps, { isInstanceAdmin: true });
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await signIn(page, admin);
    await page.goto("/settings/profile");

    const button = page.getByRole("button", { name: `Account menu ${admin.username}` });
    expect(await button.getAttribute("aria-haspopup")).toBe("menu");
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    expect(await page.getByRole("menu").count()).toBe(0);

    await button.focus();
    await page.keyboard.press("Enter");
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    const menu = page.getByRole("menu", { name: `Account menu ${admin.username}` });
    expect(await menu.getByRole("menuitem").allTextContents()).toEqual(["Profile", "Security", "Workspaces", "Administration", "Sign out"]);
    expect(await focusedText(page)).toBe("Profile");
    await page.keyboard.press("ArrowDown");
    expect(await focusedText(page)).toBe("Security");
    await page.keyboard.press("End");
    expect(await focusedText(page)).toBe("Sign out");
    await page.keyboard.press("ArrowDown");
    expect(await focusedText(page)).toBe("Profile");
    await page.keyboard.press("ArrowUp");
    expect(await focusedText(page)).toBe("Sign out");
    await page.keyboard.press("Escape");
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("account-menu-button");

    // ArrowDown opens on the first item; Enter follows the focused one.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/settings/security");

    // A click elsewhere closes it; Sign out from the menu signs out.
    await button.click();
    await page.locator("main h1").first().click();
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    await button.click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    expect(await page.getByTestId("signed-in-user").count()).toBe(0);
  });

  it("offers Administration only to instance administrators", async () => {
    const member = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await signIn(page, member);
    await page.goto("/settings/profile");
    await page.getByRole("button", { name: `Account menu ${member.username}` }).click();
    expect(await page.getByRole("menu").getByRole("menuitem").allTextContents()).toEqual(["Profile", "Security", "Workspaces", "Sign out"]);
  });

  it("without JavaScript is a link to the profile, and signing out is in the navigation", async () => {
    const member = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl, { javaScriptEnabled: false });
    await signIn(page, member);
    await page.goto("/settings/security");
    const link = page.getByRole("link", { name: `Account menu ${member.username}` });
    expect(await link.getAttribute("href")).toBe("/settings/profile");
    expect(await page.getByRole("menu").count()).toBe(0);
    await link.click();
    await page.waitForURL("**/settings/profile");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    expect(await page.getByTestId("signed-in-user").count()).toBe(0);
  });
});

describe("navigation", () => {
  it("has a skip link to the main content as the first stop", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await signIn(page, user);
    await page.goto("/settings/security");
    await page.keyboard.press("Tab");
    expect(await focusedText(page)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("folds into a Menu disclosure on a phone that keeps its headings, and marks the current page", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl, { viewport: { width: 390, height: 844 } });
    await signIn(page, user);
    await page.goto("/settings/security/two-factor/setup");
    const nav = page.getByRole("navigation", { name: "Settings" });
    expect(await nav.isVisible()).toBe(false);
    await page.locator("[data-sidenav] > summary").click();
    expect(await nav.isVisible()).toBe(true);
    expect(await nav.locator(".sidenav__heading").first().isVisible()).toBe(true);
    // A nested settings page highlights its section.
    expect(await nav.locator("[aria-current=page]").textContent()).toBe("Security");
    // The header stays one row.
    const header = await page.locator(".topbar").boundingBox();
    expect(header!.height).toBeLessThan(70);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await nav.isVisible()).toBe(true);
    expect(await page.locator("[data-sidenav] > summary").isVisible()).toBe(false);
  });
});

describe("one-time-code fields", () => {
  it("ask for digits, fit the code, and take a pasted '123 456'", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl, { viewport: { width: 390, height: 844 } });
    await signIn(page, user);
    await page.goto("/settings/security/two-factor/setup");
    const field = page.locator("input[name=code]");
    expect(await field.getAttribute("inputmode")).toBe("numeric");
    expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await field.getAttribute("pattern")).toBe("[0-9 ]{6,9}");
    const box = await field.boundingBox();
    expect(box!.width).toBeGreaterThan(80);
    expect(box!.width).toBeLessThan(200);

    await page.getByText("Cannot scan it?").click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.replace(/\s+/g, "");
    const code = codeForSecret(secret, ctx.app.deps.clock.now().getTime());
    await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.locator("form[action='/settings/security/two-factor/setup'] button[type=submit]").click();
    await page.getByTestId("backup-codes").waitFor();
  });
});
