import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { auditEvents } from "../audit/index.js";

// The user's own security events, newest first, keyset-paginated by id
// (ids grow with time): stable pages however many events arrive meanwhile.
export async function listOwnEventsPage(db: Db, userId: string, options: { limit: number; before?: number }) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, userId), options.before ? lt(auditEvents.id, options.before) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(options.limit + 1);
  const hasMore = rows.length > options.limit;
  const page = hasMore ? rows.slice(0, options.limit) : rows;
  return { events: page, nextCursor: hasMore ? String(page[page.length - 1]!.id) : null };
}
