import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { cspViolations, startBrowser, submitSignIn, type BrowserHarness } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// The same form, the same wrong password, two browsers: with JavaScript htmx
// swaps only the form; without it the whole page comes back with the error.
let app: TestApp;
let browser: BrowserHarness;
let user: Awaited<ReturnType<typeof createUser>>;
const WRONG_CREDENTIALS = "Incorrect username, email or password.";

async function loginPage(options: { javaScriptEnabled: boolean }): Promise<Page> {
  const page = await browser.newPage(app.baseUrl, options);
  const response = await page.goto("/login");
  expect(response?.status()).toBe(200);
  await page.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
  return page;
}

async function fillLogin(page: Page, login: string, password: string) {
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
}

function loginPost(page: Page) {
  return page.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/login");
}

beforeAll(async () => {
  // Browser first: a missing Chromium fails the file before a database is made.
  browser = await startBrowser();
  app = await startTestApp();
  user = await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
  await createWorkspace(app.deps, user, "ws_login");
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

// Whatever went wrong in the browser during a test fails that test: a CSP
// violation, a script error, or a failed answer the test did not declare.
afterEach(() => {
  expect(cspViolations(browser.consoleErrors)).toEqual([]);
  expect(browser.takeUnexpected()).toEqual([]);
});

describe("login form with a wrong password", () => {
  it("with JavaScript, htmx swaps only the form and a retry in the swapped form signs in", async () => {
    const page = await loginPage({ javaScriptEnabled: true });
    // A full navigation would lose this; an htmx swap keeps the same document.
    await page.evaluate(() => Object.assign(window, { __sameDocument: "kept" }));

    browser.expectFailure({ method: "POST", path: "/login", status: 401 });
    await fillLogin(page, user.username, "Wrong-Password-1");
    const posted = loginPost(page);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const response = await posted;
    expect(response.status()).toBe(401);
    expect(response.request().headers()["hx-request"]).toBe("true");

    const form = page.locator("form[action='/login']");
    await expect.poll(() => form.getByTestId("form-error").textContent().catch(() => null)).toContain(WRONG_CREDENTIALS);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.evaluate(() => (window as { __sameDocument?: string }).__sameDocument)).toBe("kept");
    // The rest of the page is untouched and there is still exactly one form.
    expect(await page.getByRole("heading", { name: "Sign in to Latchkey" }).count()).toBe(1);
    expect(await page.getByText("New here?").count()).toBe(1);
    expect(await page.locator("form[action='/login']").count()).toBe(1);
    // The login is echoed back; the password never is.
    expect(await page.getByLabel("Username or email").inputValue()).toBe(user.username);
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("");

    // The swapped-in form carries a working CSRF token.
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL("**/w/ws-login");
    expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
  });

  it("without JavaScript, the whole page re-renders with status 401 and the error next to the form", async () => {
    const page = await loginPage({ javaScriptEnabled: false });
    // Playwright can still evaluate with page scripts disabled.
    await page.evaluate(() => Object.assign(window, { __sameDocument: "kept" }));
    expect(await page.evaluate(() => (window as { __sameDocument?: string }).__sameDocument)).toBe("kept");

    browser.expectFailure({ method: "POST", path: "/login", status: 401 });
    await fillLogin(page, user.email, "Wrong-Password-2");
    const posted = loginPost(page);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const response = await posted;
    expect(response.status()).toBe(401);
    expect(response.request().headers()["hx-request"]).toBeUndefined();
    expect(response.request().isNavigationRequest()).toBe(true);
    await page.waitForLoadState("domcontentloaded");

    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("<title>Sign in · Latchkey</title>");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByRole("heading", { name: "Sign in to Latchkey" }).count()).toBe(1);
    expect(await page.locator("form[action='/login']").getByTestId("form-error").textContent()).toContain(WRONG_CREDENTIALS);
    expect(await page.getByLabel("Username or email").inputValue()).toBe(user.email);
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    // A new document was loaded, so the marker from the old one is gone.
    expect(await page.evaluate(() => (window as { __sameDocument?: string }).__sameDocument)).toBeUndefined();
  });
});
