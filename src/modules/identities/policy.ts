// Decisions only, no I/O (test/identities/policy.test.ts). The service
// gathers the facts and applies these.

export type Decision = { allowed: true } | { allowed: false; code: string; message: string };

const allow: Decision = { allowed: true };
const deny = (code: string, message: string): Decision => ({ allowed: false, code, message });

export const identityPolicy = {
  // An account must keep a way to sign in: its password, a passkey, or
  // another identity at a provider open for sign-in.
  canUnbind(account: { hasPassword: boolean; passkeyCount: number; otherSignInIdentities: number }, providerName: string): Decision {
    if (account.hasPassword || account.passkeyCount > 0 || account.otherSignInIdentities > 0) return allow;
    return deny(
      "LAST_SIGN_IN_METHOD",
      `${providerName} is the only way to sign in to this account. Set a password (use "Forgot your password?" on the sign-in page) or add a passkey before unbinding it.`,
    );
  },

  // Identities are keyed by (provider, subject) and belong to one account.
  canBind(facts: { linkingEnabled: boolean; ownerId: string | null; userId: string; boundHereAlready: boolean }, providerName: string): Decision {
    if (!facts.linkingEnabled) return deny("LINKING_DISABLED", `Binding ${providerName} accounts is turned off on this instance.`);
    if (facts.ownerId && facts.ownerId !== facts.userId) {
      return deny("IDENTITY_BOUND_ELSEWHERE", `This ${providerName} account is already bound to another Latchkey account. Unbind it there first.`);
    }
    if (facts.boundHereAlready && facts.ownerId !== facts.userId) {
      return deny("PROVIDER_ALREADY_BOUND", `Your account is already bound to a different ${providerName} account. Unbind it first.`);
    }
    return allow;
  },

  // Signing in with an identity no account has: a new account, or a refusal.
  // An email already in use is never merged into (nor linked to) that
  // account: its owner binds the provider from their settings instead.
  canCreateAccount(facts: { signInEnabled: boolean; registrationOpen: boolean; email: string | null; emailVerified: boolean; emailTaken: boolean }, providerName: string): Decision {
    if (!facts.signInEnabled) return deny("SIGN_IN_DISABLED", `Signing in with ${providerName} is turned off on this instance.`);
    // Only a verified address is compared with accounts, so an unverified
    // claim cannot be used to learn which addresses have accounts here.
    if (!facts.email || !facts.emailVerified) {
      return deny("EMAIL_NOT_VERIFIED", `${providerName} did not share a verified email address, so no account can be created with it. Verify your email address at ${providerName} and try again.`);
    }
    if (facts.emailTaken) {
      return deny(
        "EMAIL_IN_USE",
        `An account with the email address of your ${providerName} account already exists. Nothing was linked. Sign in to that account (with its password or "Forgot your password?"), then bind ${providerName} under Settings, Connections.`,
      );
    }
    if (!facts.registrationOpen) return deny("REGISTRATION_CLOSED", `No Latchkey account is bound to this ${providerName} account, and new accounts cannot be created here right now.`);
    return allow;
  },
};
