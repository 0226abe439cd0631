import { formatUtc } from "../../platform/format.js";
import { describeDevice } from "../../platform/user-agent.js";
import { eventTypeInfo } from "./events.js";
import type { AuditEvent } from "./tables.js";

// One row of the user's own security log; no details that could hold
// anything sensitive are shown, only what happened, when, from where.
export function presentSecurityEvent(event: AuditEvent, viewerId: string) {
  const { browser, device } = describeDevice(event.userAgent);
  const info = eventTypeInfo(event.action);
  return {
    at: formatUtc(event.createdAt),
    label: info.label,
    byOther: Boolean(event.actorId && event.actorId !== viewerId),
    ip: event.ip ?? "—",
    client: event.userAgent ? `${browser}, ${device}` : "—",
    warning: info.warning,
  };
}

// Only settings changes carry details worth showing; nothing secret is stored.
function changeSummary(event: AuditEvent): string | null {
  const { before, after } = event.details as { before?: unknown; after?: unknown };
  if (event.action === "workspace.session_limits_changed" && before && after) {
    const [b, a] = [before, after] as Array<{ sessionIdleMinutes: number; sessionMaxDays: number }>;
    return `Inactive ${b!.sessionIdleMinutes} → ${a!.sessionIdleMinutes} min, maximum ${b!.sessionMaxDays} → ${a!.sessionMaxDays} days`;
  }
  if (event.action === "workspace.two_factor_requirement_changed") return after ? "Now required" : "No longer required";
  return null;
}

export function presentWorkspaceEvent(row: { event: AuditEvent; actorName: string | null; subjectName: string | null }) {
  return {
    at: formatUtc(row.event.createdAt),
    label: eventTypeInfo(row.event.action).label,
    actor: row.actorName ?? (row.event.actorId ? "deleted account" : "—"),
    subject: row.subjectName && row.event.subjectId !== row.event.actorId ? row.subjectName : null,
    summary: changeSummary(row.event),
    ip: row.event.ip ?? "—",
  };
}
