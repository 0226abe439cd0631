import { existsSync } from "node:fs";
import { chromium, type Browser, type ConsoleMessage, type Page } from "playwright-core";
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
