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
};

// One row of the user's own security log; no details that could hold
// anything sensitive are shown, only what happened, when, from where.
export function presentSecurityEvent(event: AuditEvent, viewerId: string) {
  const { browser, device } = describeDevice(event.userAgent ?? undefined);
  return {
    at: event.createdAt.toISOString().replace("T", " ").slice(0, 16) + " UTC",
    label: LABELS[event.action] ?? event.action,
    byOther: Boolean(event.actorId && event.actorId !== viewerId),
    ip: event.ip ?? "—",
    client: event.userAgent ? `${browser}, ${device}` : "—",
    warning: /failed|refused|stopped/.test(event.action) || event.action === "two_factor.reset_by_admin",
  };
}
