import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { signOutThroughMenu, submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { DEFAULT_PASSWORD } from "../helpers/factories.js";

// One continuous first-run journey in a real Chromium (JavaScript on, except
// the last switch, which checks the no-JavaScript fallback):
// setup, sign out, a second person registering, and the admin juggling two
// workspaces. The steps share state on purpose, so they run in order.

const admin = { username: "root_admin", email: "root@example.test", password: DEFAULT_PASSWORD };
const member = { username: "second_user", email: "second@example.test", password: "Another-Pass-77" };

async function expectWorkspacePage(page: Page, slug: string, name: string, role = "Owner") {
  await page.waitForURL(`**/w/${slug}`);
  await expect.poll(() => page.getByTestId("workspace-name").textContent()).toBe(name);
  expect(await page.getByTestId("workspace-role").textContent()).toBe(`Your role: ${role}`);
}

async function signIn(page: Page, login: string, password: string) {
  await page.goto("/login");
  await submitSignIn(page, login, password);
}

async function signOut(page: Page) {
  await signOutThroughMenu(page);
  await page.waitForURL("**/login");
  await page.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
  expect(await page.getByTestId("signed-in-user").count()).toBe(0);
}

function switcherOf(page: Page) {
  return page.getByRole("combobox", { name: "Workspace", exact: true });
}

const ctx = useBrowserApp();

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("first-run journey in Chromium", { shuffle: false }, () => {
  let adminPage: Page;
  let memberPage: Page;

  it("sends a fresh instance to /setup and creates the administrator with the first workspace", async () => {
    adminPage = await ctx.browser.newPage(ctx.app.baseUrl);
    await adminPage.goto("/");
    expect(new URL(adminPage.url()).pathname).toBe("/setup");
    await adminPage.getByRole("heading", { name: "Welcome to Latchkey" }).waitFor();
    // htmx loaded despite the strict CSP, so forms below go through it.
    expect(await adminPage.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe("object");

    await adminPage.getByLabel("Username").fill(admin.username);
    await adminPage.getByLabel("Email").fill(admin.email);
    await adminPage.getByLabel("Password", { exact: true }).fill(admin.password);
    await adminPage.getByLabel("Confirm password").fill(admin.password);
    await adminPage.getByLabel("Workspace name").fill("Acme Corp");
    const setupPost = adminPage.waitForRequest((request) => request.method() === "POST" && request.url().endsWith("/setup"));
    await adminPage.getByRole("button", { name: "Create administrator and workspace" }).click();
    expect((await setupPost).headers()["hx-request"]).toBe("true");

    await expectWorkspacePage(adminPage, "acme-corp", "Acme Corp");
    expect(await adminPage.getByTestId("signed-in-user").textContent()).toBe(admin.username);
  });

  it("signs the administrator out from the header", async () => {
    await signOut(adminPage);
    // The session is really gone: a protected page sends us back to sign in.
    await adminPage.goto("/w/acme-corp");
    expect(new URL(adminPage.url()).pathname).toBe("/login");
  });

  it("lets a second person register in a fresh browser and create their first workspace", async () => {
    memberPage = await ctx.browser.newPage(ctx.app.baseUrl);
    await memberPage.goto("/register");
    await memberPage.getByRole("heading", { name: "Create your account" }).waitFor();
    await memberPage.getByLabel("Username").fill(member.username);
    await memberPage.getByLabel("Email").fill(member.email);
    await memberPage.getByLabel("Password", { exact: true }).fill(member.password);
    await memberPage.getByLabel("Confirm password").fill(member.password);
    await memberPage.getByRole("button", { name: "Create account" }).click();

    await memberPage.waitForURL("**/workspaces/new?first=1");
    await memberPage.getByRole("heading", { name: "Create your first workspace" }).waitFor();
    expect(await memberPage.getByTestId("signed-in-user").textContent()).toBe(member.username);

    await memberPage.getByLabel("Workspace name").fill("Second Team");
    await memberPage.getByRole("button", { name: "Create workspace" }).click();
    await expectWorkspacePage(memberPage, "second-team", "Second Team");
    // Tenancy: the switcher offers only this person's own workspace.
    expect(await switcherOf(memberPage).locator("option").allTextContents()).toEqual(["Second Team"]);
  });

  it("signs the second person out and back in, landing in their workspace", async () => {
    await signOut(memberPage);
    await signIn(memberPage, member.email, member.password);
    await expectWorkspacePage(memberPage, "second-team", "Second Team");
  });

  it("lets the administrator sign in again, create a second workspace and switch with the auto-submitting select", async () => {
    await signIn(adminPage, admin.username, admin.password);
    await expectWorkspacePage(adminPage, "acme-corp", "Acme Corp");

    await adminPage.goto("/workspaces/new");
    await adminPage.getByRole("heading", { name: "New workspace" }).waitFor();
    await adminPage.getByLabel("Workspace name").fill("Beta Lab");
    await adminPage.getByRole("button", { name: "Create workspace" }).click();
    await expectWorkspacePage(adminPage, "beta-lab", "Beta Lab");
    const switcher = switcherOf(adminPage);
    expect(await switcher.locator("option").allTextContents()).toEqual(expect.arrayContaining(["Acme Corp", "Beta Lab"]));
    expect(await switcher.inputValue()).toBe("beta-lab");

    // Choosing another workspace submits by itself (public/js/app.js).
    await switcher.selectOption({ label: "Acme Corp" });
    await expectWorkspacePage(adminPage, "acme-corp", "Acme Corp");
    expect(await switcherOf(adminPage).inputValue()).toBe("acme-corp");
    expect(await adminPage.getByText("You are signed into another workspace.").count()).toBe(0);
    expect(await adminPage.locator(".sidenav__heading").first().textContent()).toBe("Acme Corp");

    await switcherOf(adminPage).selectOption({ label: "Beta Lab" });
    await expectWorkspacePage(adminPage, "beta-lab", "Beta Lab");
    expect(await switcherOf(adminPage).inputValue()).toBe("beta-lab");
    expect(await adminPage.locator(".sidenav__heading").first().textContent()).toBe("Beta Lab");
  });

  it("switches with the Switch button when JavaScript is off", async () => {
    const page = await ctx.browser.newPage(ctx.app.baseUrl, { javaScriptEnabled: false });
    await signIn(page, admin.username, admin.password);
    await page.waitForURL("**/w/*");
    const switcher = switcherOf(page);
    const target = (await switcher.inputValue()) === "acme-corp" ? { slug: "beta-lab", name: "Beta Lab" } : { slug: "acme-corp", name: "Acme Corp" };

    await switcher.selectOption({ label: target.name });
    // Without JavaScript nothing happens until the button is pressed.
    expect(new URL(page.url()).pathname).not.toBe(`/w/${target.slug}`);
    await page.getByRole("button", { name: "Switch", exact: true }).click();
    await expectWorkspacePage(page, target.slug, target.name);
    expect(await switcherOf(page).inputValue()).toBe(target.slug);
  });
});
