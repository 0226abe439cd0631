import type { User } from "../users/index.js";

export type Decision = { allowed: true } | { allowed: false; code: string; message: string };

const allow: Decision = { allowed: true };
const deny = (code: string, message: string): Decision => ({ allowed: false, code, message });

// What an instance administrator may do to an account: decisions only, no
// I/O (policy.test.ts). Checked in the service; the page only mirrors it.
export const adminPolicy = {
  // Your own password changes on the security page, which asks for the
  // current one (ASVS 6.2.3); this form would skip that check.
  canSetPasswordOf(actor: Pick<User, "id">, subject: Pick<User, "id" | "status" | "passwordHash">): Decision {
    if (actor.id === subject.id) return deny("OWN_PASSWORD", "Change your own password on your Security page; it asks for your current password.");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "This account is cancelled.");
    if (!subject.passwordHash) return deny("NO_LOCAL_PASSWORD", "This account signs in through single sign-on and has no Latchkey password.");
    return allow;
  },
  // Your own 2FA is managed (and its loss recovered) on your security page.
  canResetTwoFactorOf(actor: Pick<User, "id">, subject: Pick<User, "id" | "username">, subjectHasTwoFactor: boolean): Decision {
    if (actor.id === subject.id) return deny("OWN_ACCOUNT", "Manage your own two-factor authentication on your Security page.");
    if (!subjectHasTwoFactor) return deny("TWO_FACTOR_NOT_ENABLED", `${subject.username} does not use two-factor authentication.`);
    return allow;
  },
};
