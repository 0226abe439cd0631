import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowserApp } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { eq } from "drizzle-orm";
import { users } from "../../src/modules/users/tables.js";
import { codeIn } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";

// Issue 16 in a real Chromium: destructive actions ask through one <dialog>
// (with JavaScript) or a confirmation step (without); focus lands on the
// first invalid field after an htmx error; the strength meter hints while
// typing; a rate-limited "Send code" counts down.
type TestUser = Awaited<ReturnType<typeof createUser>>;

const ctx = useBrowserApp();

async function signedIn(user: TestUser, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const page = await ctx.browser.newPage(ctx.app.baseUrl, options);
  await page.goto("/login");
  const form = page.locator('form[action="/login"]');
  await form.getByLabel("Username or email").fill(user.username);
  await form.getByLabel("Password", { exact: true }).fill(user.password);
  await form.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== "/login");
  return page;
}

async function newUserWithTwoSessions() {
  const user = await createUser(ctx.app.deps);
  await createWorkspace(ctx.app.deps, user);
  const elsewhere = await signedIn(user);
  return { user, elsewhere };
}

async function stillSignedIn(page: Page): Promise<boolean> {
  await page.goto("/settings/profile");
  return new URL(page.url()).pathname === "/settings/profile";
}

const activeElementText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? null);

describe("the confirmation dialog (JavaScript)", () => {
  it("opens on a destructive button, keeps focus inside, cancels with Escape (focus back on the button) and proceeds on confirm", async () => {
    const { user, elsewhere } = await newUserWithTwoSessions();
    const page = await signedIn(user);
    await page.goto("/settings/security");
    const trigger = page.locator("#active-sessions").getByRole("button", { name: "Sign out all other sessions" });
    const dialog = page.getByTestId("confirm-dialog");

    await trigger.click();
    await dialog.waitFor();
    expect(await dialog.getByRole("heading").textContent()).toBe("Sign out all other sessions?");
    expect(await dialog.textContent()).toContain("Every other browser and device signed in to your account is signed out at once.");
    // The safe choice has the focus, and Tab never leaves the modal dialog.
    expect(await activeElementText(page)).toBe("Cancel");
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest("#confirm-dialog")))).toBe(true);
    }

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Sign out all other sessions");
    expect(new URL(page.url()).pathname).toBe("/settings/security");
    expect(await stillSignedIn(elsewhere)).toBe(true);

    // Cancel with the button: nothing happens either.
    await page.goto("/settings/security");
    await trigger.click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await stillSignedIn(elsewhere)).toBe(true);

    await page.goto("/settings/security");
    await trigger.click();
    await dialog.getByRole("button", { name: "Sign out all other sessions" }).click();
    await expect.poll(() => page.locator("main .flash").textContent().catch(() => null)).toBe("1 other session was signed out.");
    expect(await page.locator("main .flash").getAttribute("role")).toBe("status");
    // The page after the action opens with focus on its message.
    await expect.poll(() => page.evaluate(() => document.activeElement?.hasAttribute("data-flash") ?? false)).toBe(true);
    expect(await stillSignedIn(elsewhere)).toBe(false);
  });
});

describe("the confirmation step (no JavaScript)", () => {
  it("a destructive button leads to a confirmation page first; confirming there proceeds, cancelling goes back", async () => {
    const { user, elsewhere } = await newUserWithTwoSessions();
    const page = await signedIn(user, { javaScriptEnabled: false });
    await page.goto("/settings/security");
    await page.locator("#active-sessions").getByRole("button", { name: "Sign out all other sessions" }).click();
    await page.getByTestId("confirm-step").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign out all other sessions?");
    expect(await stillSignedIn(elsewhere)).toBe(true);

    await page.goBack();
    await page.goto("/settings/security");
    await page.locator("#active-sessions").getByRole("button", { name: "Sign out all other sessions" }).click();
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security");
    expect(await stillSignedIn(elsewhere)).toBe(true);

    await page.goto("/settings/security");
    await page.locator("#active-sessions").getByRole("button", { name: "Sign out all other sessions" }).click();
    await page.getByTestId("confirm-step-submit").click();
    await page.waitForURL((url) => url.pathname === "/settings/security");
    expect(await page.locator("main .flash").textContent()).toBe("1 other session was signed out.");
    expect(await stillSignedIn(elsewhere)).toBe(false);
  });
});

describe("focus after an htmx error", () => {
  it("moves to the first invalid field, which names its error", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await signedIn(user);
    ctx.browser.expectFailure({ method: "POST", path: "/settings/security/password", status: 422 });
    await page.goto("/settings/security");
    const form = page.getByTestId("change-password-form");
    await form.getByLabel("Current password").fill(user.password);
    await form.getByLabel("New password", { exact: true }).fill("short");
    await form.getByLabel("Confirm new password").fill("short");
    await form.getByRole("button", { name: /change password/i }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-invalid"))).toBe("true");
    const focused = await page.evaluate(() => ({ name: document.activeElement?.getAttribute("name"), describedBy: document.activeElement?.getAttribute("aria-describedby") }));
    expect(focused.name).toBe("newPassword");
    expect(await page.locator(`#${focused.describedBy}`).textContent()).toBe("Use at least 8 characters.");
  });
});

describe("the password strength meter", () => {
  it("hints while typing on the registration page; the server still decides", async () => {
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/register");
    const password = page.getByLabel("Password", { exact: true });
    await password.fill("Password1");
    const meter = page.getByTestId("strength-meter");
    await expect.poll(() => meter.getAttribute("data-score"), { timeout: 15_000 }).toBe("0");
    expect(await meter.textContent()).toContain("This is a commonly used password.");
    await password.fill("Unrelated-Horse-Staple-71");
    await expect.poll(() => meter.getAttribute("data-score")).toBe("4");
    expect(await meter.textContent()).toBe("Very strong");
  });
});

describe("a rate-limited Send code", () => {
  it("shows the wait with a countdown and a disabled button", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await signedIn(user);
    ctx.browser.expectFailure({ method: "POST", path: "/settings/profile/phone/send", status: 429 });
    await page.goto("/settings/profile");
    const card = page.locator("#contact-phone");
    await card.locator('input[name="value"]').fill("+44 7911 123456");
    await card.getByRole("button", { name: "Send code" }).click();
    await card.locator('input[name="code"]').waitFor();
    await card.getByRole("button", { name: "Cancel" }).click();
    await card.locator('input[name="value"]').fill("+44 7911 123456");
    await card.getByRole("button", { name: "Send code" }).click();
    const countdown = card.getByTestId("resend-countdown");
    await countdown.waitFor();
    expect(await countdown.textContent()).toMatch(/^You can ask for a new code in \d+ s$/);
    expect(await card.getByRole("button", { name: "Send code" }).isDisabled()).toBe(true);
    expect(await card.getByTestId("send-refused").textContent()).toMatch(/^You can ask for a new code in \d+ s\.$/);
  });
});

describe("switching the sign-in verification method", () => {
  it("asks for the code sent by email, and switches only once it is entered", async () => {
    const user = await createUser(ctx.app.deps);
    await ctx.app.deps.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
    const page = await signedIn(user);
    await page.goto("/settings/security");
    await page.locator("#two-factor").getByRole("radio", { name: /Email code/ }).check();
    await page.locator("#two-factor form.verification").getByRole("button", { name: /save/i }).click();
    const step = page.getByTestId("login-verification-code");
    await step.waitFor();
    expect(await step.textContent()).toContain("enter the code we sent to");
    const stored = async () => (await ctx.app.deps.db.select().from(users).where(eq(users.id, user.id)))[0]!.loginVerification;
    expect(await stored()).toBe("none");

    const mail = await ctx.app.mail.waitFor(user.email, /verification code/, { text: /verify sign-ins by email/ });
    await step.locator('input[name="code"]').fill(codeIn(mail.text));
    await step.getByRole("button", { name: "Switch" }).click();
    await expect.poll(() => page.locator("main .flash").textContent().catch(() => null)).toBeTruthy();
    expect(await stored()).toBe("email");
    expect(await page.locator("#two-factor").getByRole("radio", { name: /Email code/ }).isChecked()).toBe(true);
  });
});

describe("generating new backup codes", () => {
  it("the dialog says the old codes stop working; confirming shows the new codes in place", async () => {
    const user = await createUser(ctx.app.deps);
    const { secret, backupCodes: old } = await enableTotpFor(ctx.app.deps, user);
    const page = await ctx.browser.newPage(ctx.app.baseUrl);
    await page.goto("/login");
    const form = page.locator('form[action="/login"]');
    await form.getByLabel("Username or email").fill(user.username);
    await form.getByLabel("Password", { exact: true }).fill(user.password);
    await form.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.pathname === "/login/verify");
    await page.locator('input[name="code"]').fill(codeForSecret(secret, Date.now(), 1));
    await page.locator('form[action="/login/verify"] button[type="submit"]').click();
    await page.waitForURL((url) => url.pathname !== "/login/verify");

    await page.goto("/settings/security");
    await page.locator("#two-factor").getByRole("button", { name: /backup codes/i }).first().click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/stop working/);
    await dialog.locator("[data-confirm-accept]").click();
    const codes = page.getByTestId("backup-codes").locator("li");
    await expect.poll(() => codes.count()).toBe(10);
    const fresh = (await codes.allTextContents()).map((code) => code.trim());
    expect(fresh.some((code) => old.includes(code))).toBe(false);
    expect(await page.getByTestId("contact-admin").count()).toBe(1);
  });
});
