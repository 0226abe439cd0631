// Decisions only, no I/O (test/identities/policy.test.ts). The service
// gathers the facts and applies these. Messages are locale keys
// (locales/<lang>/identities.json) with the provider's name as a variable.

export type Decision = { allowed: true } | { allowed: false; code: string; message: string; vars: { provider: string } };

const allow: Decision = { allowed: true };
const deny = (code: string, key: string, provider: string): Decision => ({ allowed: false, code, message: `identities:errors.${key}`, vars: { provider } });

export const identityPolicy = {
  // An account must keep a way to sign in: its password, a passkey, its
  // workspace's single sign-on, or another identity at a provider open for sign-in.
  canUnbind(account: { hasPassword: boolean; passkeyCount: number; otherSignInIdentities: number; singleSignOn?: boolean }, providerName: string): Decision {
    if (account.hasPassword || account.singleSignOn || account.passkeyCount > 0 || account.otherSignInIdentities > 0) return allow;
    return deny("LAST_SIGN_IN_METHOD", "lastSignInMethod", providerName);
  },

  // Identities are keyed by (provider, subject) and belong to one account.
  canBind(facts: { linkingEnabled: boolean; ownerId: string | null; userId: string; boundHereAlready: boolean }, providerName: string): Decision {
    if (!facts.linkingEnabled) return deny("LINKING_DISABLED", "linkingDisabled", providerName);
    if (facts.ownerId && facts.ownerId !== facts.userId) return deny("IDENTITY_BOUND_ELSEWHERE", "boundElsewhere", providerName);
    if (facts.boundHereAlready && facts.ownerId !== facts.userId) return deny("PROVIDER_ALREADY_BOUND", "providerAlreadyBound", providerName);
    return allow;
  },

  // Signing in with an identity no account has: a new account, or a refusal.
  // An email already in use is never merged into (nor linked to) that
  // account: its owner binds the provider from their settings instead.
  canCreateAccount(facts: { signInEnabled: boolean; registrationOpen: boolean; email: string | null; emailVerified: boolean; emailTaken: boolean }, providerName: string): Decision {
    if (!facts.signInEnabled) return deny("SIGN_IN_DISABLED", "signInDisabled", providerName);
    // Only a verified address is compared with accounts, so an unverified
    // claim cannot be used to learn which addresses have accounts here.
    if (!facts.email || !facts.emailVerified) return deny("EMAIL_NOT_VERIFIED", "emailNotVerified", providerName);
    if (facts.emailTaken) return deny("EMAIL_IN_USE", "emailInUse", providerName);
    if (!facts.registrationOpen) return deny("REGISTRATION_CLOSED", "registrationClosed", providerName);
    return allow;
  },
};
