import { and, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import type { RedisClient } from "../../platform/redis.js";
import type { ActivityScope } from "./service.js";
import { auditEvents } from "./tables.js";

// The 30-day sign-in chart at the top of the workspace and instance activity
// pages: successful sign-ins, failed ones and lockouts per UTC day, so an
// attack or an outage shows before anyone reads rows.

export const CHART_DAYS = 30;
const DAY_MS = 86_400_000;
const SIGN_IN_ACTIONS = ["auth.signed_in", "auth.sign_in_failed", "auth.second_step_failed", "auth.second_factor_locked"];

export interface DayCounts {
  day: string;
  succeeded: number;
  failed: number;
  lockouts: number;
}

// A workspace's sign-ins are those into it; its failures and lockouts are
// those of its current members' accounts (a failed sign-in has no workspace
// yet). Memberships are read with a subquery: the workspaces module depends
// on this one, not the other way round.
function scopeCondition(scope: ActivityScope): SQL | undefined {
  if (scope.kind === "instance") return undefined;
  if (scope.kind === "user") return sql`${auditEvents.subjectId} = ${scope.userId}`;
  return sql`((${auditEvents.action} = 'auth.signed_in' and ${auditEvents.workspaceId} = ${scope.workspaceId})
    or (${auditEvents.action} <> 'auth.signed_in' and ${auditEvents.subjectId} in (select m.user_id from memberships m where m.workspace_id = ${scope.workspaceId})))`;
}

// Counts per UTC day of [since, until) (until open: up to now).
async function countByDay(db: Db, scope: ActivityScope, since: Date, until: Date | null) {
  const day = sql<string>`to_char(${auditEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  return db
    .select({
      day,
      succeeded: sql<number>`count(*) filter (where ${auditEvents.action} = 'auth.signed_in')::int`,
      failed: sql<number>`count(*) filter (where ${auditEvents.action} in ('auth.sign_in_failed', 'auth.second_step_failed'))::int`,
      lockouts: sql<number>`count(*) filter (where (${auditEvents.action} = 'auth.sign_in_failed' and coalesce((${auditEvents.details}->>'accountLocked')::boolean, false)) or ${auditEvents.action} = 'auth.second_factor_locked')::int`,
    })
    .from(auditEvents)
    .where(and(gte(auditEvents.createdAt, since), until ? lt(auditEvents.createdAt, until) : undefined, inArray(auditEvents.action, SIGN_IN_ACTIONS), scopeCondition(scope)))
    .groupBy(day);
}

// The finished days change only when the workspace's members change (their
// failures count) or old events are deleted, so they are kept in Redis for
// a few minutes per scope and UTC day; today is always counted live. With a
// million events the 29 finished days are ~14k rows to aggregate (tens of
// ms), today a thirtieth of that. A Redis error only costs the cache.
export const CHART_CACHE_SECONDS = 300;

export interface ChartCache {
  redis: Pick<RedisClient, "get" | "set">;
  prefix: string;
}

function scopeKey(scope: ActivityScope): string {
  return scope.kind === "instance" ? "instance" : scope.kind === "user" ? `user:${scope.userId}` : `workspace:${scope.workspaceId}`;
}

async function finishedDays(db: Db, scope: ActivityScope, since: Date, today: Date, cache: ChartCache | undefined) {
  const key = cache && `${cache.prefix}audit-chart:${scopeKey(scope)}:${today.toISOString().slice(0, 10)}`;
  if (cache && key) {
    const hit = await cache.redis.get(key).catch(() => null);
    if (hit) return JSON.parse(hit) as Awaited<ReturnType<typeof countByDay>>;
  }
  const rows = await countByDay(db, scope, since, today);
  if (cache && key) await cache.redis.set(key, JSON.stringify(rows), "EX", CHART_CACHE_SECONDS).catch(() => undefined);
  return rows;
}

export async function signInCountsByDay(db: Db, scope: ActivityScope, now: Date, cache?: ChartCache): Promise<DayCounts[]> {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const since = new Date(today.getTime() - (CHART_DAYS - 1) * DAY_MS);
  const [past, live] = await Promise.all([finishedDays(db, scope, since, today, cache), countByDay(db, scope, today, null)]);
  const byDay = new Map([...past, ...live].map((row) => [row.day, row]));
  return Array.from({ length: CHART_DAYS }, (_, i) => {
    const key = new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    const row = byDay.get(key);
    return { day: key, succeeded: Number(row?.succeeded ?? 0), failed: Number(row?.failed ?? 0), lockouts: Number(row?.lockouts ?? 0) };
  });
}

const WIDTH = 600;
const HEIGHT = 160;
const PAD = 24;

// Polyline points for each series, scaled to the busiest day; the template
// draws them (no client chart library, no inline style).
export function presentChart(days: DayCounts[]) {
  const max = Math.max(1, ...days.flatMap((d) => [d.succeeded, d.failed, d.lockouts]));
  const x = (i: number) => (PAD + (i * (WIDTH - 2 * PAD)) / (days.length - 1)).toFixed(1);
  const y = (value: number) => (HEIGHT - PAD - (value * (HEIGHT - 2 * PAD)) / max).toFixed(1);
  const points = (pick: (d: DayCounts) => number) => days.map((d, i) => `${x(i)},${y(pick(d))}`).join(" ");
  return {
    width: WIDTH,
    height: HEIGHT,
    pad: PAD,
    max,
    first: days[0]!.day,
    last: days[days.length - 1]!.day,
    series: [
      { name: "audit:chart.successfulSeries", color: "#2f855a", points: points((d) => d.succeeded) },
      { name: "audit:chart.failedSeries", color: "#c05621", points: points((d) => d.failed) },
      { name: "audit:chart.lockoutSeries", color: "#c53030", points: points((d) => d.lockouts) },
    ],
    days,
    totals: days.reduce((sum, d) => ({ succeeded: sum.succeeded + d.succeeded, failed: sum.failed + d.failed, lockouts: sum.lockouts + d.lockouts }), { succeeded: 0, failed: 0, lockouts: 0 }),
  };
}
