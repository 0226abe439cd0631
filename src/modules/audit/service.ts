import type { Db } from "../../platform/db.js";
import type { ActivityFilters } from "./filters.js";
import { findUserIdByUsername, listActivityRows, type ActivityRow, type ActivityWhere } from "./repo.js";

// Whose events a viewer may browse: their own (as the subject), one
// workspace's (its owner and admins; members' sign-ins into it included,
// since those events carry the workspace), or everything (instance admins).
export type ActivityScope = { kind: "user"; userId: string } | { kind: "workspace"; workspaceId: string } | { kind: "instance" };

export interface ActivityPage {
  rows: ActivityRow[];
  nextCursor: string | null;
}

// The most rows one CSV export holds; narrow the filters for more.
export const EXPORT_LIMIT = 50_000;
const EXPORT_BATCH = 1000;

async function whereOf(db: Db, scope: ActivityScope, filters: ActivityFilters): Promise<ActivityWhere | null> {
  let personId: string | undefined;
  if (filters.person) {
    personId = await findUserIdByUsername(db, filters.person);
    // An unknown username matches nothing (an empty page, not an error that
    // would tell which usernames exist).
    if (!personId) return null;
  }
  return {
    subjectId: scope.kind === "user" ? scope.userId : undefined,
    workspaceId: scope.kind === "workspace" ? scope.workspaceId : undefined,
    type: filters.type,
    personId,
    from: filters.from,
    until: filters.until,
    beforeId: filters.beforeId,
  };
}

export async function activityPage(db: Db, scope: ActivityScope, filters: ActivityFilters, limit: number): Promise<ActivityPage> {
  const where = await whereOf(db, scope, filters);
  if (!where) return { rows: [], nextCursor: null };
  const rows = await listActivityRows(db, where, limit + 1);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  return { rows: page, nextCursor: hasMore ? String(page[page.length - 1]!.event.id) : null };
}

// Every matching row (up to EXPORT_LIMIT) in batches, so an export never
// holds the whole result in memory.
export async function* activityForExport(db: Db, scope: ActivityScope, filters: ActivityFilters): AsyncGenerator<ActivityRow[]> {
  const where = await whereOf(db, scope, filters);
  if (!where) return;
  let sent = 0;
  let beforeId = where.beforeId;
  while (sent < EXPORT_LIMIT) {
    const rows = await listActivityRows(db, { ...where, beforeId }, Math.min(EXPORT_BATCH, EXPORT_LIMIT - sent));
    if (rows.length === 0) return;
    yield rows;
    sent += rows.length;
    beforeId = rows[rows.length - 1]!.event.id;
  }
}
