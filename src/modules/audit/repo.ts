import { and, desc, eq, gte, lt, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";
import type { Db } from "../../platform/db.js";
import { auditEvents } from "./tables.js";

const actors = alias(users, "actors");
const subjects = alias(users, "subjects");

// How logs name a person: a cancelled account is "Cancelled user", never its
// old or placeholder name (its history stays, anonymised).
const displayName = (person: { status: AnyColumn; username: AnyColumn }) =>
  sql<string | null>`case when ${person.status} = 'cancelled' then 'Cancelled user' else ${person.username} end`;

// What happened in one workspace, with who did it and to whom, newest first:
// the workspace's activity log for its owner and admins.
export async function listWorkspaceActivity(db: Db, workspaceId: string, limit = 25) {
  return db
    .select({ event: auditEvents, actorName: displayName(actors), subjectName: displayName(subjects) })
    .from(auditEvents)
    .leftJoin(actors, eq(actors.id, auditEvents.actorId))
    .leftJoin(subjects, eq(subjects.id, auditEvents.subjectId))
    .where(eq(auditEvents.workspaceId, workspaceId))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit);
}

// What happened to one account, newest first: the user's own security log.
export async function listSubjectEvents(db: Db, subjectId: string, limit = 20) {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)).limit(limit);
}

// Any account with that username, cancelled ones included: their history
// stays browsable.
export async function findUserIdByUsername(db: Db, username: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()))
    .limit(1);
  return row?.id;
}

export interface ActivityWhere {
  subjectId?: string;
  workspaceId?: string;
  type?: string;
  // Events this account did or that happened to it.
  personId?: string;
  from?: Date;
  until?: Date;
  beforeId?: number;
}

// One page of events, newest first, keyset-paginated by id (ids grow with
// time, so "older than this id" is stable however many events arrive).
// With a date range the page is ordered by (time, id) instead, and the
// cursor's row gives the time to continue from: PostgreSQL cannot know that
// id and time grow together, and for a range deep in the history it would
// walk the primary key backwards through every newer row (500 ms at a
// million events, bench/audit.ts); the time indexes find the range at once.
// The workspace's slug is read with a subquery, not an import: the
// workspaces module already depends on this one.
export async function listActivityRows(db: Db, where: ActivityWhere, limit: number) {
  const byTime = Boolean(where.from || where.until);
  const after = (beforeId: number) =>
    byTime
      ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (select c.created_at, c.id from audit_events c where c.id = ${beforeId})`
      : lt(auditEvents.id, beforeId);
  const conditions: Array<SQL | undefined> = [
    where.subjectId ? eq(auditEvents.subjectId, where.subjectId) : undefined,
    where.workspaceId ? eq(auditEvents.workspaceId, where.workspaceId) : undefined,
    where.type ? eq(auditEvents.action, where.type) : undefined,
    where.personId ? or(eq(auditEvents.actorId, where.personId), eq(auditEvents.subjectId, where.personId)) : undefined,
    where.from ? gte(auditEvents.createdAt, where.from) : undefined,
    where.until ? lt(auditEvents.createdAt, where.until) : undefined,
    where.beforeId ? after(where.beforeId) : undefined,
  ];
  return db
    .select({
      event: auditEvents,
      actorName: displayName(actors),
      subjectName: displayName(subjects),
      workspaceSlug: sql<string | null>`(select w.slug from workspaces w where w.id = ${auditEvents.workspaceId})`,
    })
    .from(auditEvents)
    .leftJoin(actors, eq(actors.id, auditEvents.actorId))
    .leftJoin(subjects, eq(subjects.id, auditEvents.subjectId))
    .where(and(...conditions))
    .orderBy(...(byTime ? [desc(auditEvents.createdAt), desc(auditEvents.id)] : [desc(auditEvents.id)]))
    .limit(limit);
}

export type ActivityRow = Awaited<ReturnType<typeof listActivityRows>>[number];
