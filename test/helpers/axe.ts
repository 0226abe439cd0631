import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// axe-core's own build, read once. It is evaluated through the DevTools
// protocol, which the pages' Content-Security-Policy does not apply to, so the
// pages are checked with their real CSP on.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

// The rules whose outcome depends on colours alone.
export const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

// Runs every axe rule that is not experimental over the page as it is now
// (viewport, colour scheme). One line per violation and element, readable in
// a failed assertion.
// `only` limits the run to some rules, e.g. the colour rules when only the
// colour scheme changed since a full run.
export async function axeViolations(page: Page, only?: string[]): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"], ...(rules ? { runOnly: { type: "rule", values: rules } } : {}) });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target.join(" ")) }));
  }, only ?? null);
  return violations.flatMap((violation: AxeViolation) => violation.targets.map((target) => `${violation.id} (${violation.impact}): ${violation.help} — ${target}`));
}
