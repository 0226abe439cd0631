import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import type { SqlDb } from "../../src/platform/jobs/index.js";

// The catalogue-completeness check: which event types did the tests' flows
// really record? Every test app, when it closes, reads the distinct `action`s
// of its own (per-file) database and drops them in a per-run folder; after the
// whole run, the global teardown compares them with declaredEventTypes().
// Rows a test wrote straight into audit_events (to get volume or old dates)
// carry details.seeded = true and do not count: only recordEvent from a real
// flow proves an event is produced.

export const SEEDED = { seeded: true } as const;

export function producedEventsDir(runId: string): string {
  return path.join(tmpdir(), "latchkey-produced-events", runId);
}

export async function logProducedEventTypes(db: SqlDb, runId: string): Promise<void> {
  const rows = await db
    .selectDistinct({ action: auditEvents.action })
    .from(auditEvents)
    .where(sql`not coalesce((${auditEvents.details}->>'seeded')::boolean, false)`);
  const dir = producedEventsDir(runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${process.pid}-${randomBytes(4).toString("hex")}.json`), JSON.stringify(rows.map((row) => row.action)));
}

export function readProducedEventTypes(runId: string): Set<string> {
  const produced = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(producedEventsDir(runId));
  } catch {
    return produced;
  }
  for (const file of files) for (const type of JSON.parse(readFileSync(path.join(producedEventsDir(runId), file), "utf8")) as string[]) produced.add(type);
  return produced;
}

// Declared types that no flow produced, minus the listed known gaps; and
// known gaps that a flow now produces (the list must shrink with them).
export function catalogueGaps(declared: readonly string[], produced: ReadonlySet<string>, knownGaps: Readonly<Record<string, string>>) {
  return {
    missing: declared.filter((type) => !produced.has(type) && !(type in knownGaps)),
    stale: Object.keys(knownGaps).filter((type) => produced.has(type) || !declared.includes(type)),
  };
}
