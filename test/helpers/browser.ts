import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { CHROMIUM_PATH } from "./env.js";
import { startTestApp, type TestApp } from "./test-app.js";

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

// A 4xx answer a test provokes on purpose (a refused form, a page that must
// not exist). Chromium logs those as "Failed to load resource"; only the
// declared ones are tolerated, so an unexpected 404 for a script or a 500
// anywhere fails the test.
export interface ExpectedFailure {
  status: number;
  path: string | RegExp;
  method?: string;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function matches(expected: ExpectedFailure, failure: { status: number; path: string; method?: string }): boolean {
  if (expected.status !== failure.status) return false;
  if (expected.method && failure.method && expected.method !== failure.method) return false;
  return typeof expected.path === "string" ? expected.path === failure.path : expected.path.test(failure.path);
}

const FAILED_TO_LOAD = /^Failed to load resource: the server responded with a status of (\d+)/;

// One Chromium per test file. Every page gets its own context (cookies),
// reports its console errors and failed responses into one record, and
// everything closes together.
export interface BrowserHarness {
  // Every console error and uncaught exception, as text (for cspViolations).
  consoleErrors: string[];
  newPage(baseUrl: string, options?: BrowserContextOptions): Promise<Page>;
  // Declares a failure the test causes on purpose; it stays allowed for the rest of the file.
  expectFailure(...failures: ExpectedFailure[]): void;
  // What went wrong in the browser since the last call and was not declared:
  // console errors (CSP violations, script errors, failed loads) and answers
  // with a status of 400 or more. Each call starts a new record.
  takeUnexpected(): string[];
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserHarness> {
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  const allowed: ExpectedFailure[] = [];
  let problems: Array<() => string | null> = [];
  const isAllowed = (failure: { status: number; path: string; method?: string }) => allowed.some((expected) => matches(expected, failure));

  return {
    consoleErrors,
    async newPage(baseUrl, options = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, ...options });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      collectConsoleErrors(page, consoleErrors);
      // Judged when the record is taken, so a declaration made right after
      // the failing request still counts.
      page.on("console", (message: ConsoleMessage) => {
        if (message.type() !== "error") return;
        const text = message.text();
        const where = message.location().url;
        const status = FAILED_TO_LOAD.exec(text)?.[1];
        problems.push(() => (status && where && isAllowed({ status: Number(status), path: pathOf(where) }) ? null : `console error at ${where || page.url()}: ${text}`));
      });
      page.on("pageerror", (error) => problems.push(() => `uncaught error at ${page.url()}: ${error.message}`));
      page.on("response", (response) => {
        const status = response.status();
        if (status < 400) return;
        const failure = { status, path: pathOf(response.url()), method: response.request().method() };
        problems.push(() => (isAllowed(failure) ? null : `${status} for ${failure.method} ${failure.path} (${response.request().resourceType()})`));
      });
      return page;
    },
    expectFailure(...failures) {
      allowed.push(...failures);
    },
    takeUnexpected() {
      const found = problems.map((judge) => judge()).filter((problem): problem is string => problem !== null);
      problems = [];
      return found;
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
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

// Signs out through the header's account menu (public/js/layout.js), as a
// person does; the caller waits for wherever signing out should land.
export async function signOutThroughMenu(page: Page): Promise<void> {
  await page.locator("[data-account-menu-trigger]").click();
  await page.locator("[data-account-menu-panel]").getByRole("menuitem", { name: "Sign out" }).click();
}

// The lifecycle every browser test file shares: Chromium, then a test app
// (browser first: a missing Chromium fails the file before a database is
// made); both closed after the file; after every test, no CSP violation and
// no browser failure the test did not declare (expectFailure). Call it at the
// top level of the file, before other hooks that need the app (they run after
// it); `options` may be a function, read when the app starts, for options
// that come from a hook registered before this call (e.g. a stand-in's env).
export interface BrowserApp {
  readonly browser: BrowserHarness;
  readonly app: TestApp;
}

type TestAppOptions = NonNullable<Parameters<typeof startTestApp>[0]>;

export function useBrowserApp(options: TestAppOptions | (() => TestAppOptions) = {}): BrowserApp {
  let browser: BrowserHarness | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    browser = await startBrowser();
    app = await startTestApp(typeof options === "function" ? options() : options);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(() => {
    expect(cspViolations(browser!.consoleErrors)).toEqual([]);
    expect(browser!.takeUnexpected()).toEqual([]);
  });
  return {
    get browser() {
      if (!browser) throw new Error("useBrowserApp: the browser starts in beforeAll");
      return browser;
    },
    get app() {
      if (!app) throw new Error("useBrowserApp: the app starts in beforeAll");
      return app;
    },
  };
}
