import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "./env.js";

// Debian's Chromium, never a downloaded one. A missing binary is a failure,
// not a skip: browser tests that silently do not run protect nothing.
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Collects console errors of a page so a test can assert none happened, e.g.
// a Content-Security-Policy violation that would silently disable htmx.
export function collectConsoleErrors(page: Page, errors: string[] = []): string[] {
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: uncaught ${error.message}`));
  return errors;
}

export function cspViolations(errors: string[]): string[] {
  return errors.filter((text) => /content security policy/i.test(text));
}

// One Chromium per test file. Every page gets its own context (cookies),
// reports its console errors into one list, and everything closes together.
export interface BrowserHarness {
  consoleErrors: string[];
  newPage(baseUrl: string, options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserHarness> {
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  return {
    consoleErrors,
    async newPage(baseUrl, options = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, ...options });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      collectConsoleErrors(page, consoleErrors);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
    },
  };
}

// Fills and submits the real sign-in form on the current page; the caller
// waits for wherever the sign-in should land.
export async function submitSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
