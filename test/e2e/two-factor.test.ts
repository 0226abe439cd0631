import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { signOutThroughMenu, submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { codeForSecret } from "../helpers/totp.js";

// Two-factor authentication in a real Chromium, on the real clock (the phone
// app and the server agree on what "now" is): turn it on from the security
// page, save the backup codes, then sign in with an authenticator code and
// with a backup code, which works once. The steps share state on purpose, so
// they run in order.
const STEP_MS = 30_000;
const BACKUP_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;

type TestUser = Awaited<ReturnType<typeof createUser>>;

let user: TestUser;
let page: Page;
const slug = "ws-two-factor-e2e";

// Filled in by the steps, in order.
let secret = "";
let enabledAtStep = 0;
let backupCodes: string[] = [];

const stepOf = (ms: number) => Math.floor(ms / STEP_MS);

// Server-rendered, so read at once (no waiting for a flash that is not there).
async function flashTexts(target: Page): Promise<string[]> {
  return (await target.locator("main .flash").allTextContents()).map((text) => text.trim());
}

async function signInWithPassword(target: Page, { alreadyOnLoginPage = false } = {}) {
  if (!alreadyOnLoginPage) {
    const response = await target.goto("/login");
    expect(response?.status()).toBe(200);
  }
  await target.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
  await submitSignIn(target, user.username, user.password);
}

// The password alone is not enough once two-factor authentication is on.
async function signInUpToSecondStep(target: Page, { alreadyOnLoginPage = false } = {}) {
  await signInWithPassword(target, { alreadyOnLoginPage });
  await target.waitForURL((url) => url.pathname === "/login/verify");
  await target.getByRole("heading", { name: "Two-step verification" }).waitFor();
  expect(await target.getByTestId("signed-in-user").count()).toBe(0);
  // Not signed in yet: account pages send the browser back to the sign-in.
  expect((await target.request.get("/settings/profile", { maxRedirects: 0 })).status()).toBe(303);
}

async function expectSignedInAt(target: Page, pathname: string) {
  await target.waitForURL((url) => url.pathname === pathname);
  await expect.poll(() => target.getByTestId("signed-in-user").textContent().catch(() => null)).toBe(user.username);
}

async function signOut(target: Page) {
  await signOutThroughMenu(target);
  await target.waitForURL((url) => url.pathname === "/login");
  await target.getByRole("heading", { name: "Sign in to Latchkey" }).waitFor();
  expect(await target.getByTestId("signed-in-user").count()).toBe(0);
}

async function openSecurityPage(target: Page) {
  const response = await target.goto("/settings/security");
  expect(response?.status()).toBe(200);
  await target.getByRole("heading", { name: "Two-factor authentication", exact: true }).waitFor();
}

const ctx = useBrowserApp();
beforeAll(async () => {
  user = await createUser(ctx.app.deps);
  await createWorkspace(ctx.app.deps, user, "ws_two_factor_e2e");
  page = await ctx.browser.newPage(ctx.app.baseUrl);
});

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("two-factor authentication in the browser", { shuffle: false }, () => {
  it("turns it on from the security page with the key typed by hand and shows 10 backup codes once", async () => {
    await signInWithPassword(page);
    await expectSignedInAt(page, `/w/${slug}`);

    await openSecurityPage(page);
    expect(await page.getByTestId("two-factor-status").textContent()).toBe("Off");
    await page.getByRole("link", { name: "Enable two-factor authentication" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security/two-factor/setup");
    await page.getByRole("heading", { name: "Set up two-factor authentication" }).waitFor();

    // The QR code is a data: image that the CSP lets load.
    const qr = page.getByTestId("totp-qr");
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBeGreaterThan(0);

    // The key is hidden until the person asks for it.
    const key = page.getByTestId("totp-secret");
    expect(await key.isVisible()).toBe(false);
    await page.getByText("Cannot scan it? Enter the key by hand").click();
    await key.waitFor({ state: "visible" });
    secret = (await key.textContent())!.replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByTestId("totp-uri").textContent()).toContain(`secret=${secret}`);

    const now = Date.now();
    enabledAtStep = stepOf(now);
    await page.getByLabel("Code from the app").fill(codeForSecret(secret, now));
    await page.getByRole("button", { name: "Confirm and enable" }).click();
    await page.getByRole("heading", { name: "Two-factor authentication is on" }).waitFor();

    backupCodes = (await page.getByTestId("backup-codes").locator("li").allTextContents()).map((code) => code.trim());
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const code of backupCodes) expect(code).toMatch(BACKUP_CODE);

    // app.js unhides Copy and Print; the download is a text file of the same codes.
    expect(await page.getByRole("button", { name: "Copy" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Print" }).isVisible()).toBe(true);
    const download = page.getByRole("link", { name: "Download (.txt)" });
    expect(await download.isVisible()).toBe(true);
    expect(await download.getAttribute("download")).toBe("latchkey-backup-codes.txt");
    const href = (await download.getAttribute("href"))!;
    expect(href.startsWith("data:text/plain;charset=utf-8,")).toBe(true);
    const text = decodeURIComponent(href.slice("data:text/plain;charset=utf-8,".length));
    for (const code of backupCodes) expect(text).toContain(code);

    await page.getByRole("link", { name: "I have saved them" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security");
    await page.getByRole("heading", { name: "Two-factor authentication", exact: true }).waitFor();
    expect(await page.getByTestId("two-factor-status").textContent()).toMatch(/^On since /);
    expect(await page.getByTestId("backup-codes-left").textContent()).toBe("10");
    // Shown once: the security page never repeats them.
    const security = await page.content();
    for (const code of backupCodes) expect(security).not.toContain(code);
  });

  it(
    "after the password, asks for the authenticator code and signs in with it",
    async () => {
      await signOut(page);
      await signInUpToSecondStep(page);
      expect(await page.getByText("Open your authenticator app and enter the current code for Latchkey.").isVisible()).toBe(true);

      // The enabling code used up its 30 s step (a code works once): sign in
      // with the code of a later step, the next one if this step is still the
      // enabling one (a phone whose clock runs a little ahead; the server
      // accepts one step either side) instead of waiting for it.
      const now = Date.now();
      const offsetSteps = stepOf(now) > enabledAtStep ? 0 : 1;
      expect(stepOf(now) + offsetSteps).toBeGreaterThan(enabledAtStep);
      await page.getByLabel("Authentication code").fill(codeForSecret(secret, now, offsetSteps));
      await page.getByRole("button", { name: "Verify" }).click();
      await expectSignedInAt(page, `/w/${slug}`);
      expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
    },
  );

  it("signs in once with a backup code, from the security page, and tells how many are left", async () => {
    await signOut(page);
    // Opening an account page signed out goes through the sign-in and back.
    await page.goto("/settings/security");
    await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("return_to") === "/settings/security");
    await signInUpToSecondStep(page, { alreadyOnLoginPage: true });
    await page.getByRole("link", { name: "Use a backup code instead" }).click();
    await page.waitForURL((url) => url.pathname === "/login/verify" && url.searchParams.get("backup") === "1");
    expect(await page.getByText("Enter one of your backup codes. Each code works once.").isVisible()).toBe(true);

    ctx.browser.expectFailure({ method: "POST", path: "/login/verify", status: 422 });
    await page.getByLabel("Backup code").fill(backupCodes[0]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await expectSignedInAt(page, "/settings/security");
    expect(await flashTexts(page)).toEqual([
      "Signed in with a backup code. 9 left. Lost your authenticator? Set it up again under Security.",
    ]);
    expect(await page.getByText(/Backup codes left:/).textContent()).toContain("Backup codes left: 9 of 10.");
    expect(await page.getByTestId("backup-codes-left").textContent()).toBe("9");
    expect(await page.getByTestId("two-factor-status").textContent()).toMatch(/^On since /);
    // Signed in with a backup code: the lost authenticator can be replaced right away.
    expect(await page.getByRole("button", { name: "Set up my authenticator again" }).isVisible()).toBe(true);
  });

  it("signs in with another backup code from /login and lands on the workspace", async () => {
    await signOut(page);
    await signInUpToSecondStep(page);
    await page.getByRole("link", { name: "Use a backup code instead" }).click();
    await page.waitForURL((url) => url.pathname === "/login/verify" && url.searchParams.get("backup") === "1");
    await page.getByLabel("Backup code").fill(backupCodes[1]!);
    await page.getByRole("button", { name: "Verify" }).click();
    // POST /login/verify -> HX-Redirect "/" -> 303 /w/<slug>.
    await expectSignedInAt(page, `/w/${slug}`);
  });

  // The flash survives the redirect chain (POST -> / -> /w/<slug>): it is
  // consumed only by a rendered page.
  it("...and the workspace page shows the backup-code flash", async () => {
    expect((await flashTexts(page)).join(" ")).toContain("Signed in with a backup code. 8 left.");
  });

  it("the security page counts both used backup codes", async () => {
    await openSecurityPage(page);
    expect(await page.getByTestId("backup-codes-left").textContent()).toBe("8");
  });

  it("refuses the same backup code a second time, in the form", async () => {
    await signOut(page);
    await signInUpToSecondStep(page);
    await page.getByRole("link", { name: "Use a backup code instead" }).click();
    await page.waitForURL((url) => url.pathname === "/login/verify" && url.searchParams.get("backup") === "1");

    await page.getByLabel("Backup code").fill(backupCodes[0]!);
    // A marker on the document survives an htmx swap, not a page load.
    await page.evaluate(() => document.documentElement.setAttribute("data-same-document", "yes"));
    await page.getByRole("button", { name: "Verify" }).click();
    // htmx swaps the form in place with the error under the field.
    await expect.poll(() => page.locator("#field-backupCode-error").textContent().catch(() => null)).toBe(
      "That backup code is not valid or was already used. 4 tries left.",
    );
    expect(await page.locator("html").getAttribute("data-same-document")).toBe("yes");
    expect(new URL(page.url()).pathname).toBe("/login/verify");
    expect(await page.locator("#field-backupCode").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByTestId("signed-in-user").count()).toBe(0);
    expect((await page.request.get("/settings/profile", { maxRedirects: 0 })).status()).toBe(303);
  });
});
