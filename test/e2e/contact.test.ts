import { beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import type { Clock } from "../../src/platform/clock.js";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser } from "../helpers/factories.js";
import { codeIn } from "../helpers/test-app.js";

// Binding and changing the email address and phone number on the profile
// page in a real Chromium: with JavaScript htmx swaps the channel's card in
// place (the page is never reloaded until the final redirect), without it
// every step is a full page post. Codes come from the mail and SMS catchers.
// The steps of a describe share state on purpose, so they run in order.
type TestUser = Awaited<ReturnType<typeof createUser>>;

// Real time, so the "Resend in N s" countdown ticks while the browser waits,
// plus a way to jump ahead past the 60 s resend interval without sleeping.
function runningClock(): Clock & { skip(ms: number): void } {
  let skipped = 0;
  return { now: () => new Date(Date.now() + skipped), skip: (ms) => void (skipped += ms) };
}

const BOUND_EMAIL = "Your email address is verified and saved.";
const BOUND_PHONE = "Your phone number is verified and saved.";

const clock = runningClock();

const ctx = useBrowserApp({ clock });

// Through the real form, as a person would; return_to lands on the profile.
async function signIn(page: Page, user: TestUser) {
  const response = await page.goto("/login?return_to=/settings/profile");
  expect(response?.status()).toBe(200);
  await submitSignIn(page, user.username, user.password);
  await page.waitForURL((url) => url.pathname === "/settings/profile");
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  expect(await page.getByTestId("signed-in-user").textContent()).toBe(user.username);
}

const emailCard = (page: Page) => page.locator("section#contact-email");
const phoneCard = (page: Page) => page.locator("section#contact-phone");
const flashText = (page: Page) => page.locator("main .flash").textContent().catch(() => null);
const pathOf = (page: Page) => new URL(page.url()).pathname;
const normalized = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, " ").trim();

// A marker on window survives htmx swaps and is gone after a real page load.
async function setWindowMarker(page: Page) {
  await page.evaluate(() => void ((window as unknown as { __marker?: string }).__marker = "kept"));
}
async function windowMarker(page: Page) {
  return page.evaluate(() => (window as unknown as { __marker?: string }).__marker ?? null);
}

async function countdownSeconds(card: Locator): Promise<number> {
  const text = await card.getByTestId("resend-countdown").textContent();
  const match = /^Resend in (\d+) s$/.exec(text?.trim() ?? "");
  expect(match, `countdown text: ${text}`).not.toBeNull();
  return Number(match![1]);
}

// The POST a click sends, to check whether htmx or the browser made it.
function nextPost(page: Page, pathname: string) {
  return page.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname === pathname);
}

function otherCodeThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

async function expectVerifiedValue(card: Locator, testId: string, value: string) {
  await expect.poll(() => card.getByTestId(testId).textContent().catch(() => null)).toBe(value);
  expect(await card.locator(".card__header .badge").textContent()).toBe("Verified");
}

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("binding and changing contact details with JavaScript (htmx)", { shuffle: false }, () => {
  let user: TestUser;
  let page: Page;
  let firstAddress: string;

  beforeAll(async () => {
    user = await createUser(ctx.app.deps);
    page = await ctx.browser.newPage(ctx.app.baseUrl, { javaScriptEnabled: true });
    firstAddress = `bound-${user.username}@example.test`;
  });

  it("binds a new email address: code card swapped in place with a ticking countdown, then the code binds it", async () => {
    await signIn(page, user);
    const card = emailCard(page);
    expect(await card.locator(".card__header .badge").textContent()).toBe("Not verified");
    await setWindowMarker(page);

    await card.getByLabel("Email address").fill(firstAddress);
    const sent = nextPost(page, "/settings/profile/email/send");
    await card.getByRole("button", { name: "Send code" }).click();
    const response = await sent;
    expect(response.status()).toBe(200);
    expect(response.request().headers()["hx-request"]).toBe("true");

    await card.getByTestId("email-target").waitFor();
    expect(await card.getAttribute("data-stage")).toBe("code");
    expect(await normalized(card.locator("p", { hasText: "We sent a 6-digit code to" }))).toBe(`We sent a 6-digit code to ${firstAddress}.`);
    expect(await card.getByTestId("email-target").textContent()).toBe(firstAddress);
    // Swapped by htmx, not reloaded.
    expect(await windowMarker(page)).toBe("kept");
    expect(pathOf(page)).toBe("/settings/profile");

    // The countdown reloads itself every second.
    const first = await countdownSeconds(card);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(60);
    await page.waitForTimeout(2_200);
    const later = await countdownSeconds(card);
    expect(later).toBeLessThan(first);
    expect(later).toBeGreaterThanOrEqual(first - 4);
    expect(await card.getByRole("button", { name: "Resend code" }).isDisabled()).toBe(true);

    const mail = await ctx.app.mail.waitFor(firstAddress, /verification code/);
    await card.getByLabel("Verification code").fill(codeIn(mail.text));
    await card.getByRole("button", { name: "Bind" }).click();

    await expect.poll(() => flashText(page)).toBe(BOUND_EMAIL);
    expect(pathOf(page)).toBe("/settings/profile");
    await expectVerifiedValue(emailCard(page), "email-value", firstAddress);
    expect(await emailCard(page).getByRole("button", { name: "Change email" }).count()).toBe(1);
  });

  it("a wrong phone code is refused next to the field, in place; the right one binds the number", async () => {
    await page.goto("/settings/profile");
    await setWindowMarker(page);
    const card = phoneCard(page);

    await card.getByLabel("Phone number (international format)").fill("+44 7911 123456");
    await card.getByRole("button", { name: "Send code" }).click();
    await card.getByTestId("phone-target").waitFor();
    expect(await card.getByTestId("phone-target").textContent()).toBe("+447911123456");
    const sms = await ctx.app.sms.waitFor("+447911123456", /Latchkey code/);
    const code = codeIn(sms.text);

    await card.getByLabel("Verification code").fill(otherCodeThan(code));
    ctx.browser.expectFailure({ method: "POST", path: "/settings/profile/phone/confirm", status: 422 });
    const refused = nextPost(page, "/settings/profile/phone/confirm");
    await card.getByRole("button", { name: "Bind" }).click();
    expect((await refused).status()).toBe(422);
    await expect.poll(() => card.locator("#field-code-error").textContent().catch(() => null)).toBe("That code is not correct. 4 tries left.");
    expect(await card.getByLabel("Verification code").getAttribute("aria-invalid")).toBe("true");
    expect(await card.getAttribute("data-stage")).toBe("code");
    expect(await windowMarker(page)).toBe("kept");
    expect(pathOf(page)).toBe("/settings/profile");
    expect(await page.locator("main .flash").count()).toBe(0);

    await card.getByLabel("Verification code").fill(code);
    await card.getByRole("button", { name: "Bind" }).click();
    await expect.poll(() => flashText(page)).toBe(BOUND_PHONE);
    await expectVerifiedValue(phoneCard(page), "phone-value", "+447911123456");
    // The email bound before is untouched.
    await expectVerifiedValue(emailCard(page), "email-value", firstAddress);
  });

  it("changes the email in two steps: a code to the current address, then a code to the new one; the old one is told", async () => {
    // The current address got a code in the first step: wait out the 60 s
    // resend interval per address (well within the fresh sign-in window).
    clock.skip(61_000);
    await page.goto("/settings/profile");
    await setWindowMarker(page);
    const card = emailCard(page);

    await card.getByRole("button", { name: "Change email" }).click();
    await card.getByText("Step 1 of 2").waitFor();
    expect(await card.getAttribute("data-stage")).toBe("identity");
    expect(await card.locator("strong").first().textContent()).toBe(`${firstAddress.slice(0, 2)}${"•".repeat(firstAddress.split("@")[0]!.length - 2)}@example.test`);

    await card.getByRole("button", { name: "Send code" }).click();
    const codeForm = card.locator("form", { has: page.getByLabel("Verification code") });
    await codeForm.waitFor();
    const identityMail = await ctx.app.mail.waitFor(firstAddress, /verification code/, { text: /to confirm it is you/ });
    await codeForm.getByLabel("Verification code").fill(codeIn(identityMail.text));
    await codeForm.getByRole("button", { name: "Next" }).click();
    await card.getByText("Step 2 of 2").waitFor();
    expect(await card.getAttribute("data-stage")).toBe("new");

    const secondAddress = `changed-${user.username}@example.test`;
    await card.getByLabel("Email address").fill(secondAddress);
    await card.getByRole("button", { name: "Send code" }).click();
    await card.getByTestId("email-target").waitFor();
    expect(await card.getByTestId("email-target").textContent()).toBe(secondAddress);
    expect(await windowMarker(page)).toBe("kept");
    expect(pathOf(page)).toBe("/settings/profile");

    const newMail = await ctx.app.mail.waitFor(secondAddress, /verification code/);
    await card.getByLabel("Verification code").fill(codeIn(newMail.text));
    await card.getByRole("button", { name: "OK" }).click();

    await expect.poll(() => flashText(page)).toBe(BOUND_EMAIL);
    await expectVerifiedValue(emailCard(page), "email-value", secondAddress);
    const notice = await ctx.app.mail.waitFor(firstAddress, /Your Latchkey email address was changed/);
    expect(notice.text).toContain(user.username);
    expect(notice.text).not.toContain(secondAddress);
  });
});

// In order even under --sequence.shuffle: each step starts where the last one ended.
describe("binding an email address without JavaScript", { shuffle: false }, () => {
  it("every step is a full page post: Send code shows the code form, the code binds the address", async () => {
    const user = await createUser(ctx.app.deps);
    const page = await ctx.browser.newPage(ctx.app.baseUrl, { javaScriptEnabled: false });
    await signIn(page, user);
    const address = `nojs-${user.username}@example.test`;
    const card = emailCard(page);
    expect(await card.locator(".card__header .badge").textContent()).toBe("Not verified");

    await card.getByLabel("Email address").fill(address);
    const sent = nextPost(page, "/settings/profile/email/send");
    await card.getByRole("button", { name: "Send code" }).click();
    const response = await sent;
    expect(response.status()).toBe(303);
    expect(response.request().headers()["hx-request"]).toBeUndefined();
    await page.waitForURL((url) => url.pathname === "/settings/profile" && url.hash === "#contact-email");

    await card.getByTestId("email-target").waitFor();
    expect(await normalized(card.locator("p", { hasText: "We sent a 6-digit code to" }))).toBe(`We sent a 6-digit code to ${address}.`);
    expect(await countdownSeconds(card)).toBeLessThanOrEqual(60);

    const mail = await ctx.app.mail.waitFor(address, /verification code/);
    await card.getByLabel("Verification code").fill(codeIn(mail.text));
    const confirmed = nextPost(page, "/settings/profile/email/confirm");
    await card.getByRole("button", { name: "Bind" }).click();
    expect((await confirmed).status()).toBe(303);

    await expect.poll(() => flashText(page)).toBe(BOUND_EMAIL);
    expect(pathOf(page)).toBe("/settings/profile");
    await expectVerifiedValue(emailCard(page), "email-value", address);
  });
});
