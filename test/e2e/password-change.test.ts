import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";

// One person signed in twice (two browser contexts with their own cookies).
// Context A changes the password with "Sign out all other sessions" left
// ticked; context B finds itself on the sign-in page at its next reload.
const NEW_PASSWORD = "Browser-Chosen-Pass-64";

let user: Awaited<ReturnType<typeof createUser>>;

async function signIn(page: Page, password: string) {
  await page.goto("/login");
  await submitSignIn(page, user.username, password);
  await page.waitForURL("**/w/ws-password");
  expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
}

const ctx = useBrowserApp();
beforeAll(async () => {
  user = await createUser(ctx.app.deps, { isInstanceAdmin: true });
  await createWorkspace(ctx.app.deps, user, "ws_password");
});

describe("changing the password in Chromium", () => {
  it("signs the other browser out while this one stays signed in", async () => {
    const a = await ctx.browser.newPage(ctx.app.baseUrl);
    const b = await ctx.browser.newPage(ctx.app.baseUrl);
    await signIn(a, user.password);
    await signIn(b, user.password);
    const response = await b.goto("/settings/security");
    expect(response?.status()).toBe(200);

    await a.goto("/settings/security");
    await a.getByRole("heading", { name: "Password", exact: true }).waitFor();
    // htmx is live on the page, so the form goes through it.
    expect(await a.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe("object");
    const signOutOthers = a.getByLabel("Sign out all other sessions");
    expect(await signOutOthers.isChecked()).toBe(true);

    ctx.browser.expectFailure({ method: "POST", path: "/settings/security/password", status: 401 });
    // A typo first: htmx swaps the form with the message, the rest of the page stays.
    await a.getByLabel("Current password").fill("Not-the-password-1");
    await a.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await a.getByLabel("Confirm new password").fill(NEW_PASSWORD);
    await a.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => a.locator("#field-currentPassword-error").textContent().catch(() => null)).toBe("Your current password is not correct.");
    expect(await a.getByLabel("Sign out all other sessions").isChecked()).toBe(true);
    expect(await a.getByRole("heading", { name: "Active sessions" }).count()).toBe(1);

    await a.getByLabel("Current password").fill(user.password);
    await a.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await a.getByLabel("Confirm new password").fill(NEW_PASSWORD);
    await a.getByRole("button", { name: "Change password" }).click();
    await expect
      .poll(() => a.locator(".flash").textContent().catch(() => null))
      .toBe("Your password was changed. 1 other session was signed out.");
    expect(new URL(a.url()).pathname).toBe("/settings/security");
    expect(await a.getByTestId("signed-in-user").textContent()).toBe(user.username);

    // B reloads its page and lands on the sign-in page.
    await b.reload();
    await b.waitForURL((url) => url.pathname === "/login");
    await b.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
    expect(await b.getByTestId("signed-in-user").count()).toBe(0);

    // A is still signed in after navigating; B signs in with the new password.
    await a.goto("/settings/profile");
    expect(await a.getByTestId("signed-in-user").textContent()).toBe(user.username);
    await signIn(b, NEW_PASSWORD);
  });
});
