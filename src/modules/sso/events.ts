import { defineEvents } from "../audit/index.js";
import type { User } from "../users/index.js";

// Workspace single sign-on. No secret in any of them: the issuer and client
// id are configuration, the client secret is only ever "changed" or not.
export const ssoEvents = defineEvents({
  signedIn: {
    type: "sso.signed_in",
    label: "Signed in with single sign-on",
    event: (user: Pick<User, "id">, workspaceId: string, issuer: string, providerMfa: boolean) => ({
      actorId: user.id,
      subjectId: user.id,
      workspaceId,
      details: { issuer, providerMfa },
    }),
  },
  provisioned: {
    type: "sso.account_provisioned",
    label: "Account created by single sign-on",
    event: (user: Pick<User, "id" | "username">, workspaceId: string, issuer: string, role: string) => ({
      actorId: user.id,
      subjectId: user.id,
      workspaceId,
      details: { issuer, role, username: user.username },
    }),
  },
  linked: {
    type: "sso.identity_linked",
    label: "Single sign-on identity linked",
    event: (user: Pick<User, "id">, workspaceId: string, issuer: string) => ({ actorId: user.id, subjectId: user.id, workspaceId, details: { issuer } }),
  },
  refused: {
    type: "sso.sign_in_refused",
    label: "Single sign-on refused",
    warning: true,
    // reason: email_in_use, domain_not_allowed, no_email, identity_of_other_account, account_inactive
    event: (workspaceId: string, issuer: string, reason: string, subjectId: string | null = null) => ({ subjectId, workspaceId, details: { issuer, reason } }),
  },
  configChanged: {
    type: "sso.config_changed",
    label: "Single sign-on settings changed",
    warning: true,
    event: (actorId: string, workspaceId: string, details: { issuer: string; clientId: string; secretChanged: boolean; allowedDomains: string[]; defaultRole: string; required: boolean; trustProviderMfa: boolean }) => ({
      actorId,
      workspaceId,
      details,
    }),
  },
  configRemoved: {
    type: "sso.config_removed",
    label: "Single sign-on removed",
    warning: true,
    event: (actorId: string, workspaceId: string, issuer: string, sessionsEndedFor: number) => ({ actorId, workspaceId, details: { issuer, accounts: sessionsEndedFor } }),
  },
});
