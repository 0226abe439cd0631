import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CDPSession, Page } from "playwright-core";
import { manualClock } from "../../src/platform/clock.js";
import { startBrowser, signOutThroughMenu, submitSignIn, type BrowserHarness } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Passkeys in a real Chromium with its virtual authenticator (internal
// transport, resident keys, user verification): register two, sign in with
// one without typing a username, rename, delete, and step up with one. The
// steps share state on purpose, so they run in order.
const clock = manualClock(new Date());
let browser: BrowserHarness;
let app: TestApp;
let page: Page;
let cdp: CDPSession;
let user: Awaited<ReturnType<typeof createUser>>;

const virtualAuthenticator = async () =>
  (
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    })
  ).authenticatorId;

async function passkeyRows(): Promise<Array<{ name: string; lastUsed: string }>> {
  return page.locator('[data-testid="passkeys-table"] tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({ name: row.querySelector("strong")?.textContent?.trim() ?? "", lastUsed: (() => {
        // A time is shown relative ("2 minutes ago") with the exact time in its title.
        const cell = row.querySelector('[data-testid="passkey-last-used"]');
        return (cell?.querySelector("time")?.getAttribute("title") ?? cell?.textContent ?? "").trim();
      })() })),
  );
}

async function register(name: string) {
  await page.goto("/settings/security#passkeys");
  await page.getByLabel("Passkey name").fill(name);
  await page.getByRole("button", { name: "Register passkey" }).click();
  await page.waitForURL((url) => url.pathname === "/settings/security");
  await expect.poll(() => page.locator("main .flash").textContent()).toContain(`Passkey "${name}" added`);
}

beforeAll(async () => {
  browser = await startBrowser();
  app = await startTestApp({ localhostOrigin: true, clock });
  user = await createUser(app.deps);
  await createWorkspace(app.deps, user, "ws_passkeys_e2e");
  page = await browser.newPage(app.baseUrl);
  cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});
afterEach(() => {
  expect(browser.takeUnexpected()).toEqual([]);
});

describe("passkeys in the browser", { sequential: true, shuffle: false }, () => {
  it("registers two named passkeys; each shows Never until it is used", async () => {
    await page.goto("/login");
    await submitSignIn(page, user.username, user.password);
    await page.waitForURL((url) => url.pathname.startsWith("/w/"));
    const laptop = await virtualAuthenticator();
    await register("Laptop");
    // A second device: the first authenticator already holds a passkey for this account.
    await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: laptop });
    await virtualAuthenticator();
    await register("Phone");
    expect(await passkeyRows()).toEqual([
      { name: "Laptop", lastUsed: "Never" },
      { name: "Phone", lastUsed: "Never" },
    ]);
  });

  it("signs in with a passkey without typing a username, and shows when it was last used", async () => {
    // The sign-in page offers passkeys in the username field's autofill
    // (conditional mediation) and on a button. Chromium's virtual
    // authenticator answers the autofill request at once, as a person picking
    // the passkey from the list would: the browser lands signed in.
    await signOutThroughMenu(page);
    await page.waitForURL((url) => url.pathname.startsWith("/w/"));
    await expect.poll(() => page.getByTestId("signed-in-user").textContent()).toBe(user.username);
    await page.goto("/settings/security");
    const rows = await passkeyRows();
    expect(rows.find((row) => row.name === "Phone")?.lastUsed).toMatch(/UTC$/);
    expect(rows.find((row) => row.name === "Laptop")?.lastUsed).toBe("Never");
  });

  it("renames one and deletes the other", async () => {
    const phone = page.locator('[data-testid="passkeys-table"] tbody tr', { hasText: "Phone" });
    await phone.getByText("Rename").click();
    await phone.getByLabel("New name for Phone").fill("Work phone");
    await phone.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("main .flash").textContent()).toContain('renamed to "Work phone"');
    await page.getByRole("button", { name: "Delete Laptop" }).click();
    await page.getByTestId("confirm-dialog").getByRole("button", { name: "Remove the passkey" }).click();
    await expect.poll(() => page.locator("main .flash").textContent()).toContain('"Laptop" removed');
    expect((await passkeyRows()).map((row) => row.name)).toEqual(["Work phone"]);
  });

  it("steps up with a passkey when the sign-in is old", async () => {
    clock.advance(16 * 60_000);
    await page.goto("/settings/security");
    await page.getByLabel("Passkey name").fill("Tablet");
    await page.getByRole("button", { name: "Register passkey" }).click();
    await page.waitForURL((url) => url.pathname === "/reauth");
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/security");
    await expect.poll(async () => (await passkeyRows()).find((row) => row.name === "Work phone")?.lastUsed).toMatch(/UTC$/);
  });
});
