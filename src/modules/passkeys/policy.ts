// Decisions only, no I/O (test/passkeys/policy.test.ts).
export const passkeyPolicy = {
  // An account must keep a way to sign in: without a password, its last
  // passkey cannot go.
  canDelete: (account: { hasPassword: boolean; passkeyCount: number }): boolean => account.hasPassword || account.passkeyCount > 1,
  // A counter that does not move forward means a cloned authenticator, unless
  // the authenticator keeps no counter at all (always 0).
  counterAcceptable: (stored: number, presented: number): boolean => (stored === 0 && presented === 0) || presented > stored,
};
