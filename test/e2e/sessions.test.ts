import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { manualClock } from "../../src/platform/clock.js";
import { cspViolations, startBrowser, submitSignIn, type BrowserHarness } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Active sessions in a real Chromium: one person signed in on a "laptop" (A)
// and a "phone" (B), two browser contexts with their own cookies and user
// agents. A signs B out from the security page, one session or all others,
// and B finds out on its next navigation. The steps of a describe share state
// on purpose, so they run in order.
const MINUTE = 60_000;
const FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const EXPIRED_NOTICE = "Your session expired. Sign in again to continue.";

type TestUser = Awaited<ReturnType<typeof createUser>>;

let browser: BrowserHarness;

// Through the real form, as a person would.
async function signIn(page: Page, user: TestUser, workspaceSlug: string) {
  const response = await page.goto("/login");
  expect(response?.status()).toBe(200);
  await submitSignIn(page, user.username, user.password);
  await page.waitForURL(`**/w/${workspaceSlug}`);
  expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
}

function sessionRows(page: Page) {
  return page.getByTestId("sessions-table").locator("tbody tr");
}

function thisSessionRow(page: Page) {
  return sessionRows(page).filter({ hasText: "This session" });
}

function otherSessionRows(page: Page) {
  return sessionRows(page).filter({ hasNotText: "This session" });
}

async function openSecurityPage(page: Page) {
  const response = await page.goto("/settings/security");
  expect(response?.status()).toBe(200);
  await page.getByRole("heading", { name: "Active sessions" }).waitFor();
}

// Destructive actions ask through the confirmation dialog first.
async function confirmInDialog(page: Page, label: string) {
  const dialog = page.getByTestId("confirm-dialog");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: label }).click();
}

function flashOf(page: Page) {
  return page.locator("main .flash");
}

async function expectSignedIn(page: Page, user: TestUser) {
  const response = await page.goto("/settings/profile");
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe("/settings/profile");
  expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
}

// The ended session's next navigation lands on the sign-in page, which says why.
async function expectSignedOutOnNextNavigation(page: Page) {
  await page.goto("/settings/profile");
  await page.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
  const url = new URL(page.url());
  expect(url.pathname).toBe("/login");
  expect(url.searchParams.get("expired")).toBe("1");
  expect(url.searchParams.get("return_to")).toBe("/settings/profile");
  expect(await page.getByTestId("session-notice").textContent()).toBe(EXPIRED_NOTICE);
  expect(await page.getByTestId("signed-in-user").count()).toBe(0);
}

beforeAll(async () => {
  // Browser first: a missing Chromium fails the file before a database is made.
  browser = await startBrowser();
});

afterAll(async () => {
  await browser?.close();
});

// Whatever went wrong in the browser during a test fails that test: a CSP
// violation, a script error, or a failed answer the test did not declare.
afterEach(() => {
  expect(cspViolations(browser.consoleErrors)).toEqual([]);
  expect(browser.takeUnexpected()).toEqual([]);
});

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("active sessions in the browser", { shuffle: false }, () => {
  let app: TestApp;
  let user: TestUser;
  let laptop: Page;
  let phone: Page;
  const slug = "ws-sessions-e2e";

  beforeAll(async () => {
    app = await startTestApp();
    user = await createUser(app.deps);
    await createWorkspace(app.deps, user, "ws_sessions_e2e");
    laptop = await browser.newPage(app.baseUrl, { userAgent: FIREFOX_ON_LINUX });
    phone = await browser.newPage(app.baseUrl, { userAgent: SAFARI_ON_IPHONE });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("lists both sessions, marks this one, and signs out the other from its row", async () => {
    await signIn(laptop, user, slug);
    await signIn(phone, user, slug);
    await expectSignedIn(phone, user);

    await openSecurityPage(laptop);
    await expect.poll(() => sessionRows(laptop).count()).toBe(2);
    expect(await thisSessionRow(laptop).count()).toBe(1);
    expect(await thisSessionRow(laptop).textContent()).toContain("Firefox 132");
    expect(await thisSessionRow(laptop).getByRole("button", { name: "Sign out" }).count()).toBe(0);
    const phoneRow = otherSessionRows(laptop);
    expect(await phoneRow.count()).toBe(1);
    const phoneText = await phoneRow.textContent();
    expect(phoneText).toContain("Mobile Safari 17");
    expect(phoneText).toContain("Apple iPhone, iOS 17.5");
    const phoneHandle = await phoneRow.getAttribute("data-session");
    expect(phoneHandle).toMatch(/^[\w-]{8,64}$/);

    await phoneRow.getByRole("button", { name: "Sign out", exact: true }).click();
    await confirmInDialog(laptop, "Sign out the session");
    await expect.poll(() => flashOf(laptop).textContent().catch(() => null)).toBe("The session was signed out.");
    expect(new URL(laptop.url()).pathname).toBe("/settings/security");
    expect(await sessionRows(laptop).count()).toBe(1);
    expect(await thisSessionRow(laptop).count()).toBe(1);
    expect(await laptop.locator(`tr[data-session="${phoneHandle}"]`).count()).toBe(0);
    // With one session left there is nothing else to sign out.
    expect(await laptop.getByRole("button", { name: "Sign out all other sessions" }).count()).toBe(0);

    await expectSignedOutOnNextNavigation(phone);
    await expectSignedIn(laptop, user);
  });

  it("signs out all other sessions at once", async () => {
    await signIn(phone, user, slug);
    await expectSignedIn(phone, user);

    await openSecurityPage(laptop);
    await expect.poll(() => sessionRows(laptop).count()).toBe(2);
    expect(await otherSessionRows(laptop).textContent()).toContain("Mobile Safari 17");

    await laptop.getByRole("button", { name: "Sign out all other sessions" }).click();
    await confirmInDialog(laptop, "Sign out all other sessions");
    await expect.poll(() => flashOf(laptop).textContent().catch(() => null)).toBe("1 other session was signed out.");
    expect(new URL(laptop.url()).pathname).toBe("/settings/security");
    expect(await sessionRows(laptop).count()).toBe(1);
    expect(await thisSessionRow(laptop).count()).toBe(1);

    await expectSignedOutOnNextNavigation(phone);
    await expectSignedIn(laptop, user);
  });
});

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("step-up before signing out other sessions", { shuffle: false }, () => {
  const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
  let app: TestApp;
  let user: TestUser;
  let laptop: Page;
  let phone: Page;
  const slug = "ws-stepup-e2e";

  beforeAll(async () => {
    app = await startTestApp({ clock });
    user = await createUser(app.deps);
    await createWorkspace(app.deps, user, "ws_stepup_e2e");
    laptop = await browser.newPage(app.baseUrl, { userAgent: FIREFOX_ON_LINUX });
    phone = await browser.newPage(app.baseUrl, { userAgent: SAFARI_ON_IPHONE });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("an old sign-in confirms the password on /reauth, comes back and then signs the others out", async () => {
    await signIn(laptop, user, slug);
    await signIn(phone, user, slug);
    await openSecurityPage(laptop);
    await expect.poll(() => sessionRows(laptop).count()).toBe(2);
    // Shown relative, with the exact time (the account's zone, UTC here) on hover.
    expect(await thisSessionRow(laptop).innerHTML()).toContain('title="Nov 23, 2026, 09:00 UTC"');

    // Past FRESH_AUTH_MINUTES (15) but well within the inactivity limit.
    clock.advance(16 * MINUTE);
    await laptop.getByRole("button", { name: "Sign out all other sessions" }).click();
    await confirmInDialog(laptop, "Sign out all other sessions");
    await laptop.waitForURL((url) => url.pathname === "/reauth");
    expect(new URL(laptop.url()).searchParams.get("return_to")).toBe("/settings/security");
    await laptop.getByRole("heading", { name: "Confirm it is you" }).waitFor();
    // Nothing was signed out yet.
    await expectSignedIn(phone, user);

    browser.expectFailure({ method: "POST", path: "/reauth", status: 401 });
    // A wrong password: htmx swaps the form in place with the error.
    await laptop.getByLabel("Password", { exact: true }).fill("Wrong-Password-1");
    await laptop.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => laptop.locator("#field-password-error").textContent().catch(() => null)).toBe("That password is not correct.");
    expect(new URL(laptop.url()).pathname).toBe("/reauth");

    const sessionCookie = async () => (await laptop.context().cookies()).find((cookie) => cookie.name === "latchkey.sid")?.value;
    const before = await sessionCookie();
    await laptop.getByLabel("Password", { exact: true }).fill(user.password);
    await laptop.getByRole("button", { name: "Confirm" }).click();
    await laptop.waitForURL((url) => url.pathname === "/settings/security");
    await laptop.getByRole("heading", { name: "Active sessions" }).waitFor();
    // Step-up rotates the session id.
    expect(await sessionCookie()).not.toBe(before);

    // The app returns to the page, not replaying the POST: the person clicks
    // again, and this time the fresh sign-in lets it through.
    expect(await sessionRows(laptop).count()).toBe(2);
    await laptop.getByRole("button", { name: "Sign out all other sessions" }).click();
    await confirmInDialog(laptop, "Sign out all other sessions");
    await expect.poll(() => flashOf(laptop).textContent().catch(() => null)).toBe("1 other session was signed out.");
    expect(new URL(laptop.url()).pathname).toBe("/settings/security");
    expect(await sessionRows(laptop).count()).toBe(1);
    expect(await thisSessionRow(laptop).count()).toBe(1);

    await expectSignedOutOnNextNavigation(phone);
    await expectSignedIn(laptop, user);
  });
});
