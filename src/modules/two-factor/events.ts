import { defineEvents, notYouLine, whenAndWhere, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";

// Every factor change is mailed to the account's owner: if it was not them,
// this is how they learn of it.
function securityNotice(user: User, subject: string, body: string, baseUrl: string): Notice {
  return {
    to: user.email,
    subject,
    text: (context) => `Hi ${user.username},\n\n${body}\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)}\n`,
  };
}

const self = (user: User) => ({ actorId: user.id, subjectId: user.id });

export const twoFactorEvents = defineEvents({
  enabled: {
    type: "two_factor.enabled",
    label: "Two-factor authentication turned on",
    event: (user: User, baseUrl: string) => ({
      ...self(user),
      notices: [securityNotice(user, "Two-factor authentication was turned on", "Two-factor authentication is now on for your Latchkey account.", baseUrl)],
    }),
  },
  disabled: {
    type: "two_factor.disabled",
    label: "Two-factor authentication turned off",
    event: (user: User, baseUrl: string) => ({
      ...self(user),
      notices: [securityNotice(user, "Two-factor authentication was turned off", "Two-factor authentication was turned off for your Latchkey account.", baseUrl)],
    }),
  },
  backupCodeUsed: {
    type: "two_factor.backup_code_used",
    label: "Backup code used",
    event: (user: User, remaining: number, baseUrl: string) => ({
      ...self(user),
      details: { remaining },
      notices: [securityNotice(user, "A backup code was used to sign in", `A backup code was used for your Latchkey account. ${remaining} backup codes remain.`, baseUrl)],
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
        securityNotice(
          user,
          "Your two-factor authentication was reset",
          "An administrator reset two-factor authentication on your Latchkey account. Set it up again from your security settings.",
          baseUrl,
        ),
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
        securityNotice(
          user,
          "Your two-factor authentication was reset",
          "After a sign-in with a backup code, the authenticator of your Latchkey account was removed so a new one can be set up; codes from the old one no longer work.",
          baseUrl,
        ),
      ],
    }),
  },
  loginVerificationChanged: {
    type: "two_factor.login_verification_changed",
    label: "Sign-in verification changed",
    event: (user: User, method: string) => ({ ...self(user), details: { method } }),
  },
});
