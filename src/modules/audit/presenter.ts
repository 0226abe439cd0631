import { noGeoLocator, type GeoLocator } from "../../platform/geoip.js";
import { describeDevice } from "../../platform/user-agent.js";
import { eventTypeInfo } from "./events.js";
import type { ActivityRow } from "./repo.js";
import type { AuditEvent } from "./tables.js";

// One row of the user's own security log; no details that could hold
// anything sensitive are shown, only what happened, when, from where.
export function presentSecurityEvent(event: AuditEvent, viewerId: string, geo: GeoLocator = noGeoLocator) {
  const { browser, device } = describeDevice(event.userAgent);
  const info = eventTypeInfo(event.action);
  return {
    at: event.createdAt,
    type: event.action,
    label: info.label,
    byOther: Boolean(event.actorId && event.actorId !== viewerId),
    ip: fromWhere(event.ip, geo),
    client: event.userAgent ? printable(`${browser}, ${device}`) : "—",
    warning: info.warning,
  };
}

const FAILURE_REASONS = new Set(["unknown_account", "no_password", "wrong_password", "account_locked", "account_paused", "account_cancelled"]);

// A summary is a locale key and its variables (the views translate it).
export interface Summary {
  key: string;
  vars?: Record<string, unknown>;
}

// How a sign-in went: the factors used, or why it failed.
function signInSummary(event: AuditEvent): Summary | null {
  const details = event.details as { factors?: unknown; reason?: unknown; accountLocked?: unknown; method?: unknown };
  if (event.action === "auth.signed_in" && Array.isArray(details.factors)) return { key: "audit:summary.with", vars: { factors: details.factors.map(String).join(" + ") } };
  if (event.action === "auth.sign_in_failed" && typeof details.reason === "string") {
    const reason = FAILURE_REASONS.has(details.reason) ? `audit:reasons.${details.reason}` : details.reason;
    return { key: details.accountLocked ? "audit:summary.reasonLocked" : "audit:summary.reason", vars: { reason } };
  }
  if ((event.action === "auth.second_step_failed" || event.action === "auth.second_factor_locked") && typeof details.method === "string") return { key: "audit:summary.secondStep", vars: { method: details.method } };
  return null;
}

// Settings changes and sign-ins carry details worth showing; nothing secret is stored.
function changeSummary(event: AuditEvent): Summary | null {
  const { before, after } = event.details as { before?: unknown; after?: unknown };
  if (event.action === "workspace.session_limits_changed" && before && after) {
    const [b, a] = [before, after] as Array<{ sessionIdleMinutes: number; sessionMaxDays: number }>;
    return { key: "audit:summary.limits", vars: { idleBefore: b!.sessionIdleMinutes, idleAfter: a!.sessionIdleMinutes, maxBefore: b!.sessionMaxDays, maxAfter: a!.sessionMaxDays } };
  }
  if (event.action === "workspace.two_factor_requirement_changed") return { key: after ? "audit:summary.required" : "audit:summary.notRequired" };
  return signInSummary(event);
}

// Names and user agents are user-controlled: the views escape them (<%= %>)
// and control characters are dropped here so a CR/LF cannot break the
// layout either.
const printable = (value: string | null | undefined) => (value ?? "").replace(/[\u0000-\u001f\u007f]+/g, " ").trim();

// "Berlin, Germany (203.0.113.7)" with a GeoIP database, else the IP alone.
const fromWhere = (ip: string | null, geo: GeoLocator) => (ip ? printable(geo.describe(ip)) : "—");

// The workspace settings page's short log (geo: see fromWhere).
export function presentWorkspaceEvent(row: { event: AuditEvent; actorName: string | null; subjectName: string | null }, geo: GeoLocator = noGeoLocator) {
  return {
    at: row.event.createdAt,
    type: row.event.action,
    label: eventTypeInfo(row.event.action).label,
    actor: printable(row.actorName) || (row.event.actorId ? "audit:summary.deletedAccount" : "—"),
    subject: row.subjectName && row.event.subjectId !== row.event.actorId ? printable(row.subjectName) : null,
    summary: changeSummary(row.event),
    ip: fromWhere(row.event.ip, geo),
  };
}

// One row of the activity pages.

export function presentActivityRow(row: ActivityRow, viewerId?: string, geo: GeoLocator = noGeoLocator) {
  const { event } = row;
  const info = eventTypeInfo(event.action);
  const { browser, device } = describeDevice(event.userAgent);
  return {
    id: String(event.id),
    at: event.createdAt,
    type: event.action,
    label: info.label,
    warning: info.warning,
    actor: printable(row.actorName) || (event.actorId ? "audit:summary.deletedAccount" : "—"),
    byOther: Boolean(viewerId && event.actorId && event.actorId !== viewerId),
    subject: row.subjectName && event.subjectId !== event.actorId ? printable(row.subjectName) : null,
    workspace: row.workspaceSlug,
    summary: changeSummary(event),
    ip: fromWhere(event.ip, geo),
    client: event.userAgent ? printable(`${browser}, ${device}`) : "—",
  };
}

export const csvHeader = ["time_utc", "type", "event", "actor", "subject", "workspace", "ip", "place", "user_agent", "details"];

// The raw values for the CSV export (csv.ts neutralises them); place is the
// GeoIP database's name for the IP ("Berlin, Germany"), empty without one.
export function activityCsvCells(row: ActivityRow, geo: GeoLocator = noGeoLocator): string[] {
  const { event } = row;
  return [
    event.createdAt.toISOString(),
    event.action,
    eventTypeInfo(event.action).label,
    row.actorName ?? event.actorId ?? "",
    row.subjectName ?? event.subjectId ?? "",
    row.workspaceSlug ?? event.workspaceId ?? "",
    event.ip ?? "",
    geo.place(event.ip) ?? "",
    event.userAgent ?? "",
    JSON.stringify(event.details ?? {}),
  ];
}
