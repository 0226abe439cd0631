import { describeDevice } from "../sessions/presenter.js";
import type { AuditEvent } from "./tables.js";

const LABELS: Record<string, string> = {
  "user.registered": "Account created",
  "instance.setup_completed": "Instance set up",
  "auth.signed_in": "Signed in",
  "auth.signed_out": "Signed out",
  "auth.sign_in_failed": "Failed sign-in attempt",
  "auth.second_step_failed": "Sign-in stopped after wrong codes",
  "auth.reauthenticated": "Identity confirmed",
  "auth.reauth_failed": "Identity confirmation failed",
  "session.ended": "A session was signed out",
  "session.ended_many": "Sessions were signed out",
  "password.changed": "Password changed",
  "password.change_failed": "Password change refused (wrong current password)",
  "password.reset_requested": "Password reset requested",
  "password.reset": "Password reset with an email link",
  "admin.password_set": "Password set by an administrator",
  "two_factor.enabled": "Two-factor authentication turned on",
  "two_factor.disabled": "Two-factor authentication turned off",
  "two_factor.backup_code_used": "Backup code used",
  "two_factor.backup_codes_regenerated": "New backup codes generated",
  "two_factor.reset_by_admin": "Two-factor authentication reset by an administrator",
  "two_factor.reset_by_user": "Authenticator set up again after a backup-code sign-in",
  "two_factor.login_verification_changed": "Sign-in verification changed",
  "profile.username_changed": "Username changed",
  "profile.avatar_changed": "Avatar changed",
  "profile.avatar_removed": "Avatar removed",
  "profile.email_bound": "Email address verified",
  "profile.email_changed": "Email address changed",
  "profile.phone_bound": "Phone number verified",
  "profile.phone_changed": "Phone number changed",
  "workspace.created": "Workspace created",
  "workspace.session_limits_changed": "Session limits changed",
  "workspace.two_factor_requirement_changed": "Two-factor requirement changed",
};

const time = (date: Date) => date.toISOString().replace("T", " ").slice(0, 16) + " UTC";

// One row of the user's own security log; no details that could hold
// anything sensitive are shown, only what happened, when, from where.
export function presentSecurityEvent(event: AuditEvent, viewerId: string) {
  const { browser, device } = describeDevice(event.userAgent ?? undefined);
  return {
    at: time(event.createdAt),
    label: LABELS[event.action] ?? event.action,
    byOther: Boolean(event.actorId && event.actorId !== viewerId),
    ip: event.ip ?? "—",
    client: event.userAgent ? `${browser}, ${device}` : "—",
    warning: /failed|refused|stopped/.test(event.action) || event.action === "two_factor.reset_by_admin",
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
    at: time(row.event.createdAt),
    label: LABELS[row.event.action] ?? row.event.action,
    actor: row.actorName ?? (row.event.actorId ? "deleted account" : "—"),
    subject: row.subjectName && row.event.subjectId !== row.event.actorId ? row.subjectName : null,
    summary: changeSummary(row.event),
    ip: row.event.ip ?? "—",
  };
}
