import { describe, expect, it } from "vitest";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { addMember, createUser, createWorkspace, reloadUser } from "../helpers/factories.js";

// In Chromium with htmx: a member walks the cancellation wizard from the
// security page to the status page, with refusals shown next to the fields.

const ctx = useBrowserApp();

describe("cancellation wizard in Chromium", () => {
  it("verifies, shows what is lost, refuses a missing agreement in place, cancels and shows the purge finishing", async () => {
    const owner = await createUser(ctx.app.deps);
    const user = await createUser(ctx.app.deps);
    const workspace = await createWorkspace(ctx.app.deps, owner, "ws_browser_cancel");
    await addMember(ctx.app.deps, workspace, user);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/login");
    await submitSignIn(page, user.username, user.password);
    await page.waitForURL("**/w/ws-browser-cancel");

    await page.goto("/settings/security");
    await page.getByRole("link", { name: "Cancel account…" }).click();
    await page.waitForURL("**/settings/account");

    ctx.browser.expectFailure({ status: 422, path: "/settings/account/verify", method: "POST" });
    await page.getByLabel("Password", { exact: true }).fill("wrong password");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => page.locator("#field-password-error").textContent()).toBe("That password is not correct.");
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator('[data-step="confirm"]').waitFor();
    expect(await page.getByTestId("loss-summary").textContent()).toContain("ws_browser_cancel (member)");

    ctx.browser.expectFailure({ status: 422, path: "/settings/account/cancel", method: "POST" });
    await page.getByLabel("Type your username to confirm").fill(user.username);
    await page.getByRole("button", { name: "Cancel my account" }).click();
    await expect.poll(() => page.locator("#field-agree-error").textContent()).toBe("Read and agree to the terms to continue.");
    expect((await reloadUser(ctx.app.deps, user.id)).status).toBe("active");

    await page.getByLabel(/I have read the above/).check();
    await page.getByRole("button", { name: "Cancel my account" }).click();
    await page.waitForURL("**/account-cancelled/**");
    expect((await reloadUser(ctx.app.deps, user.id)).status).toBe("cancelled");
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId("purge-state").textContent();
      }, { timeout: 15_000 })
      .toContain("All personal data was removed");
  });
});
