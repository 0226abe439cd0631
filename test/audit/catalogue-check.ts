import type { TestProject } from "vitest/node";
import { knownCatalogueGaps } from "./catalogue-gaps.js";
import { catalogueGaps, readProducedEventTypes } from "./produced-events.js";

// Run from the global teardown, after every test file has closed its app.
// Only a run of the whole suite can say an event is produced by no test, so
// a partial run (one file, a name filter) only says it skipped the check;
// a full run (npm test, CI) fails on a gap.
export async function checkEventCatalogue(project: TestProject, runId: string): Promise<void> {
  const all = (await project.globTestFiles()).testFiles;
  const ran = new Set(project.vitest.state.getFilepaths());
  if (all.length === 0 || !all.every((file) => ran.has(file)) || project.config.testNamePattern) {
    console.log("event catalogue: partial run, completeness not checked");
    return;
  }
  // Loading the app loads every module's events.ts, so every type is declared.
  await import("../../src/app.js");
  const { declaredEventTypes } = await import("../../src/modules/audit/index.js");
  const { missing, stale } = catalogueGaps(declaredEventTypes(), readProducedEventTypes(runId), knownCatalogueGaps);
  if (missing.length === 0 && stale.length === 0) {
    console.log(`event catalogue: every declared type was produced by a test flow`);
    return;
  }
  const report = [
    missing.length ? `declared event types no test flow produced: ${missing.join(", ")}` : "",
    stale.length ? `known gaps to delete from test/audit/catalogue-gaps.ts (produced now, or no longer declared): ${stale.join(", ")}` : "",
  ].filter(Boolean).join("\n");
  // An error thrown in a global teardown is printed but leaves the exit code
  // at 0 (vitest 4): set it, so the run fails.
  console.error(`event catalogue incomplete:\n${report}`);
  process.exitCode = 1;
}
