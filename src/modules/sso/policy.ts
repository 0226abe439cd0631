import type { WorkspaceRole } from "../../web/context.js";

// Who may do what with a workspace's single sign-on, and what an identity
// provider's answer allows. Decisions only; unit-tested in test/sso/policy.test.ts.

export const ssoPolicy = {
  // Owners and administrators configure it (like the other workspace settings).
  canManage: (role: WorkspaceRole): boolean => role === "owner" || role === "admin",

  // The email's domain must be one the workspace allows (exact match, case-insensitive;
  // "corp.example" does not admit "evilcorp.example" or "sub.corp.example").
  emailDomainAllowed(email: string, allowedDomains: readonly string[]): boolean {
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    return email.includes("@") && allowedDomains.some((allowed) => allowed.toLowerCase() === domain);
  },

  // The provider's own multi-factor claim stands in for Latchkey's second
  // factor only when the workspace says it trusts it, and only when the
  // provider actually says so: amr lists "mfa" (or two distinct methods
  // such as "pwd" + "otp"), or acr names a multi-factor context.
  providerMfaCounts(trusted: boolean, claims: { amr?: unknown; acr?: unknown }): boolean {
    if (!trusted) return false;
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((value): value is string => typeof value === "string") : [];
    const factors = new Set(amr.filter((value) => value !== "mfa"));
    if (amr.includes("mfa") || factors.size >= 2) return true;
    return typeof claims.acr === "string" && /(^|[:/_.-])(mfa|2fa|multi-?factor|aal[23]|loa[34]|silver|gold)($|[:/_.-])/i.test(claims.acr);
  },

  // The provider's email is used for a new account only when it says it verified it.
  emailUsable: (claims: { email?: unknown; email_verified?: unknown }): claims is { email: string } =>
    typeof claims.email === "string" && claims.email.includes("@") && claims.email_verified !== false,

  // "SSO required" lets the owner in without SSO (break-glass: a broken or
  // lost identity provider must not lock the workspace out of its own
  // settings). Everyone else must have signed in through this workspace's SSO.
  exemptFromRequirement: (role: WorkspaceRole): boolean => role === "owner",
};

// Accounts a workspace's SSO created: no password may ever be set on them
// and they cannot cancel themselves (password, reset and cancellation check this).
export const isSsoAccount = (user: { ssoWorkspaceId: string | null }): boolean => user.ssoWorkspaceId !== null;
