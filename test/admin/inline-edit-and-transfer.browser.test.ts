import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { memberships } from "../../src/modules/workspaces/tables.js";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { addMember, createUser, createWorkspace, reloadUser, uniqueName } from "../helpers/factories.js";

// In Chromium with htmx: an instance administrator renames an account in
// the user list (the cell swaps in place, the page does not reload), then
// transfers a workspace's ownership by typing its name.

const ctx = useBrowserApp();

describe("user administration in Chromium", () => {
  it("edits a username inline, shows a refusal in place, and transfers ownership", async () => {
    const admin = await createUser(ctx.app.deps, { isInstanceAdmin: true });
    const heir = await createUser(ctx.app.deps);
    const workspace = await createWorkspace(ctx.app.deps, admin, "ws_browser_transfer");
    await addMember(ctx.app.deps, workspace, heir);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/login");
    await submitSignIn(page, admin.username, admin.password);
    await page.waitForURL("**/w/ws-browser-transfer");

    await page.goto(`/admin/users?q=${heir.username}`);
    const row = page.locator(`tr[data-user="${heir.id}"]`);
    // A marker on the page: an htmx swap keeps it, a full reload would drop it.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await row.locator("[data-cell=username] summary").click();
    const input = row.getByLabel(`Username of ${heir.username}`);
    ctx.browser.expectFailure({ status: 409, path: `/admin/users/${heir.id}/username`, method: "POST" });
    await input.fill(admin.username.toUpperCase());
    await row.locator("[data-cell=username]").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => row.locator("[data-cell=username] .field__error").textContent()).toBe("That username is taken.");
    expect((await reloadUser(ctx.app.deps, heir.id)).username).toBe(heir.username);

    const renamed = uniqueName("renamed");
    await row.getByLabel(`Username of ${heir.username}`).fill(renamed);
    await row.locator("[data-cell=username]").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => row.locator("[data-cell=username] a").textContent()).toBe(renamed);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect((await reloadUser(ctx.app.deps, heir.id)).username).toBe(renamed);

    await page.goto(`/w/${workspace.slug}/settings`);
    await page.getByRole("link", { name: "Transfer ownership…" }).click();
    await page.waitForURL(`**/w/${workspace.slug}/settings/ownership`);
    await page.getByLabel("New owner").selectOption({ label: `${renamed} (member)` });
    await page.getByLabel("Type the workspace name to confirm").fill(workspace.name);
    await page.getByRole("button", { name: "Transfer ownership" }).click();
    // The confirmation dialog asks first.
    await page.getByTestId("confirm-dialog").getByRole("button", { name: "Transfer ownership" }).click();
    await page.waitForURL(`**/w/${workspace.slug}/members`);
    expect(await page.locator(".flash").textContent()).toContain(`${renamed} now owns ${workspace.name}`);
    const roles = await ctx.app.deps.db.select().from(memberships).where(and(eq(memberships.workspaceId, workspace.id)));
    expect(Object.fromEntries(roles.map((r) => [r.userId, r.role]))).toEqual({ [admin.id]: "admin", [heir.id]: "owner" });
  });
});
