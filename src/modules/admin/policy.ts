import { AppError } from "../../platform/errors.js";
import type { User } from "../users/tables.js";

// What an instance administrator may do to an account. Checked in the
// service; the page only mirrors it.
export const adminPolicy = {
  // Your own password changes on the security page, which asks for the
  // current one (ASVS 6.2.3); this form would skip that check.
  canSetPasswordOf: (actor: User, subject: User): { allowed: true } | { allowed: false; code: string; message: string } => {
    if (actor.id === subject.id) {
      return { allowed: false, code: "OWN_PASSWORD", message: "Change your own password on your Security page; it asks for your current password." };
    }
    if (subject.status === "cancelled") return { allowed: false, code: "ACCOUNT_CANCELLED", message: "This account is cancelled." };
    if (!subject.passwordHash) {
      return { allowed: false, code: "NO_LOCAL_PASSWORD", message: "This account signs in through single sign-on and has no Latchkey password." };
    }
    return { allowed: true };
  },
};

export function assertAdminMay(decision: ReturnType<typeof adminPolicy.canSetPasswordOf>): void {
  if (!decision.allowed) throw new AppError(409, decision.code, { message: decision.message });
}
