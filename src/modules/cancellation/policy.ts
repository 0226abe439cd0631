// Decisions only (test/cancellation/policy.test.ts).
export type VerifyMethod = "password" | "email" | "sms";

interface AccountFacts {
  passwordHash: string | null;
  status: string;
  phone: string | null;
  phoneVerifiedAt: Date | null;
  // Set for accounts a workspace's single sign-on created (modules/sso).
  ssoWorkspaceId?: string | null;
}

export const cancellationPolicy = {
  // SSO accounts (no password here) have no cancellation entry at all: their
  // workspace's identity provider owns them (checked by the flag too, so a
  // password on such an account could never open the way).
  mayCancel: (user: AccountFacts): boolean => user.status === "active" && user.passwordHash !== null && !user.ssoWorkspaceId,
  // Whichever the account has: its password, a code to its email, a code to its verified phone.
  verifyMethods(user: AccountFacts): VerifyMethod[] {
    const methods: VerifyMethod[] = [];
    if (user.passwordHash) methods.push("password");
    methods.push("email");
    if (user.phone && user.phoneVerifiedAt) methods.push("sms");
    return methods;
  },
  // A verification counts for a while, like a fresh sign-in.
  verificationValid: (verifiedAtMs: number | undefined, nowMs: number, windowMinutes: number): boolean =>
    verifiedAtMs !== undefined && verifiedAtMs <= nowMs && nowMs - verifiedAtMs < windowMinutes * 60_000,
};
