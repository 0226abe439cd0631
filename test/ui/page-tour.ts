import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { axeViolations, COLOUR_RULES } from "../helpers/axe.js";
import { startBrowser, type BrowserHarness } from "../helpers/browser.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { openState, PAGE_STATES, useLanguage, type PageState } from "./page-states.js";
import { worldBuilder, type World, type WorldBuilder } from "./world.js";

// The page tour: every page state of page-states.ts, in one language (one test
// file per language, pages.<language>.browser.test.ts, so the languages run on
// different workers), gets
// - axe-core (every non-experimental rule) at 1280 px and 390 px, light and dark;
// - no sideways scrolling at 390 px and 320 px;
// - a title of its own ("Security · Latchkey"), never the bare "Latchkey", and
//   in a language other than English, not the English one (untranslated).
// One Chromium, one app, one signed-in context per person, reused by every
// page; each state is opened once, then the viewport and the colour scheme
// change in place, without a reload, and axe is injected once per document.
const DESKTOP = { width: 1280, height: 900 };
const PHONE_HEIGHT = 844;
const AXE_WIDTHS = [1280, 390];
const PHONE_WIDTHS = [390, 320];
const SCHEMES = ["light", "dark"] as const;

// What sticks out past the right edge, for a readable failure.
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= window.innerWidth) return null;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((element) => !element.parentElement || element.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.className && typeof element.className === "string" ? `.${element.className.trim().split(/\s+/).join(".")}` : ""} (${Math.round(element.getBoundingClientRect().right)} px)`);
    return `${root.scrollWidth} px wide: ${culprits.join(", ")}`;
  });
}

async function setViewport(page: Page, width: number) {
  await page.setViewportSize({ width, height: width === DESKTOP.width ? DESKTOP.height : PHONE_HEIGHT });
}

// A ticket's page is titled by its subject (user content): the same in every language.
const USER_TITLED = new Set(["ticket"]);

export function pageTour(language: string): void {
  let browser: BrowserHarness;
  let app: TestApp;
  let builder: WorldBuilder;
  const titles = new Map<string, string>();
  // The English title of each state, read by the other languages' tours to
  // tell an untranslated title (the state opened once more, in English).
  const englishTitles = new Map<string, string>();

  beforeAll(async () => {
    browser = await startBrowser();
    app = await startTestApp();
    builder = worldBuilder(app, browser, { viewport: DESKTOP });
    // Refusals some states are about, and the one a wrong password gets.
    browser.expectFailure({ status: 404, path: "/no-such-page" }, { status: 404, path: /^\/reset-password\// }, { status: 403, path: "/admin/users" }, { status: 401, path: "/login", method: "POST" });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(() => {
    expect(browser.takeUnexpected()).toEqual([]);
  });

  const states = PAGE_STATES.filter((state) => !state.when || state.when());

  async function pageFor(state: PageState): Promise<{ page: Page; world: World | undefined }> {
    if (state.name === "setup") return { page: await builder.visitor(), world: undefined };
    const world = await builder.ready();
    return { page: world.pages[state.as], world };
  }

  describe(`every page in ${language}: axe-core at desktop and phone widths, light and dark; no sideways scrolling on a phone`, { shuffle: false }, () => {
    for (const state of states) {
      it(state.name, async () => {
        const { page, world } = await pageFor(state);
        const found: string[] = [];
        await useLanguage(page, language);
        await setViewport(page, DESKTOP.width);
        await page.emulateMedia({ colorScheme: "light" });
        await openState(page, state, world);
        titles.set(state.name, await page.title());
        for (const width of AXE_WIDTHS) {
          await setViewport(page, width);
          // Every rule in the light scheme; in the dark one only the rules a
          // colour can break (the rest see the same page), which halves the time.
          for (const colorScheme of SCHEMES) {
            await page.emulateMedia({ colorScheme });
            const rules = colorScheme === "light" ? undefined : COLOUR_RULES;
            for (const violation of await axeViolations(page, rules)) found.push(`${width}px ${colorScheme}: ${violation}`);
          }
        }
        await page.emulateMedia({ colorScheme: "light" });
        // The setup page exists only before the first account: not a phone check.
        if (state.name !== "setup") {
          for (const width of PHONE_WIDTHS) {
            await setViewport(page, width);
            const wide = await overflow(page);
            if (wide) found.push(`no sideways scrolling at ${width}px: ${wide}`);
          }
        }
        await setViewport(page, DESKTOP.width);
        if (language !== "en" && !USER_TITLED.has(state.name) && state.name !== "setup") {
          await useLanguage(page, "en");
          await openState(page, state, world);
          englishTitles.set(state.name, await page.title());
          await useLanguage(page, language);
        }
        expect(found).toEqual([]);
      });
    }
  });

  describe(`titles in ${language}`, () => {
    it("every page has a title of its own, never the bare product name", () => {
      expect(titles.size).toBe(states.length);
      const bare = [...titles].filter(([, title]) => !/^.+ · Latchkey$/.test(title)).map(([state, title]) => `${state}: "${title}"`);
      expect(bare).toEqual([]);
      const byTitle = new Map<string, string[]>();
      for (const [state, title] of titles) byTitle.set(title, [...(byTitle.get(title) ?? []), state]);
      // Pages that are one page seen by different people may share a title.
      const sharedOnPurpose = (names: string[]) => new Set(names.map((name) => name.replace(/ \((member)\)$/, "").replace(/ with .*$/, ""))).size === 1;
      const duplicates = [...byTitle].filter(([, names]) => names.length > 1 && !sharedOnPurpose(names)).map(([title, names]) => `"${title}": ${names.join(", ")}`);
      expect(duplicates).toEqual([]);
      const untranslated = [...englishTitles].filter(([state, english]) => titles.get(state) === english).map(([state, title]) => `${state}: "${title}"`);
      expect(untranslated).toEqual([]);
    });
  });
}
