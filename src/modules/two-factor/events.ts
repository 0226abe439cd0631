import { defineEvents, securityNotice, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";

// Every factor change is mailed to the account's owner: if it was not them,
// this is how they learn of it (in their language, see securityNotice).
const notice = (user: User, name: string, baseUrl: string, vars?: Record<string, unknown>): Notice =>
  securityNotice(user, { subject: `two-factor:mail.${name}Subject`, body: `two-factor:mail.${name}Body`, vars, baseUrl });

const self = (user: User) => ({ actorId: user.id, subjectId: user.id });

export const twoFactorEvents = defineEvents({
  enabled: {
    type: "two_factor.enabled",
    label: "Two-factor authentication turned on",
    event: (user: User, baseUrl: string) => ({
      ...self(user),
      notices: [notice(user, "enabled", baseUrl)],
    }),
  },
  disabled: {
    type: "two_factor.disabled",
    label: "Two-factor authentication turned off",
    event: (user: User, baseUrl: string) => ({
      ...self(user),
      notices: [notice(user, "disabled", baseUrl)],
    }),
  },
  backupCodeUsed: {
    type: "two_factor.backup_code_used",
    label: "Backup code used",
    event: (user: User, remaining: number, baseUrl: string) => ({
      ...self(user),
      details: { remaining },
      notices: [notice(user, "backupCode", baseUrl, { remaining })],
    }),
  },
  backupCodesRegenerated: {
    type: "two_factor.backup_codes_regenerated",
    label: "New backup codes generated",
    event: (user: User) => self(user),
  },
  resetByAdmin: {
    type: "two_factor.reset_by_admin",
    label: "Two-factor authentication reset by an administrator",
    warning: true,
    event: (actorId: string, user: User, workspaceId: string | null, baseUrl: string) => ({
      actorId,
      subjectId: user.id,
      workspaceId,
      notices: [
        securityNotice(user, { subject: "two-factor:mail.resetSubject", body: "two-factor:mail.resetByAdminBody", baseUrl }),
      ],
    }),
  },
  // A new authenticator replaces the old one: whoever holds a backup code
  // could do this, so the owner is told like any 2FA reset.
  resetByUser: {
    type: "two_factor.reset_by_user",
    label: "Authenticator set up again after a backup-code sign-in",
    event: (user: User, baseUrl: string) => ({
      ...self(user),
      notices: [
        securityNotice(user, { subject: "two-factor:mail.resetSubject", body: "two-factor:mail.resetByUserBody", baseUrl }),
      ],
    }),
  },
  loginVerificationChanged: {
    type: "two_factor.login_verification_changed",
    label: "Sign-in verification changed",
    event: (user: User, method: string) => ({ ...self(user), details: { method } }),
  },
});
