import type { User } from "../users/index.js";

export type Decision = { allowed: true } | { allowed: false; code: string; message: string };

const allow: Decision = { allowed: true };
const deny = (code: string, message: string): Decision => ({ allowed: false, code, message });

type Subject = Pick<User, "id" | "username" | "status" | "isInstanceAdmin">;
// Who acts: a signed-in administrator, or the operator console (id null),
// which is the administrator of last resort and has no account to protect.
type Actor = { id: string | null };

// The last active instance administrator is the one account that can always
// get back in and let others in; nothing takes that role away from it.
export const isLastActiveAdmin = (subject: Pick<User, "isInstanceAdmin" | "status">, activeAdmins: number): boolean =>
  subject.isInstanceAdmin && subject.status === "active" && activeAdmins <= 1;

const LAST_ADMIN = () => deny("LAST_ADMIN", "This is the last instance administrator. Make another account an administrator first.");
const OWN_ACCOUNT = (what: string) => deny("OWN_ACCOUNT", `You cannot ${what} your own account. Ask another administrator.`);

// What an instance administrator may do to an account: decisions only, no
// I/O (policy.test.ts). Checked in the service; the page only mirrors it.
export const adminPolicy = {
  // Your own password changes on the security page, which asks for the
  // current one (ASVS 6.2.3); this form would skip that check.
  canSetPasswordOf(actor: Actor, subject: Pick<User, "id" | "status" | "passwordHash">): Decision {
    if (actor.id === subject.id) return deny("OWN_PASSWORD", "Change your own password on your Security page; it asks for your current password.");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "This account is cancelled.");
    if (!subject.passwordHash) return deny("NO_LOCAL_PASSWORD", "This account signs in through single sign-on and has no Latchkey password.");
    return allow;
  },
  // Your own 2FA is managed (and its loss recovered) on your security page.
  canResetTwoFactorOf(actor: Actor, subject: Pick<User, "id" | "username">, subjectHasTwoFactor: boolean): Decision {
    if (actor.id === subject.id) return deny("OWN_ACCOUNT", "Manage your own two-factor authentication on your Security page.");
    if (!subjectHasTwoFactor) return deny("TWO_FACTOR_NOT_ENABLED", `${subject.username} does not use two-factor authentication.`);
    return allow;
  },
  // Only the account's owner can enrol an authenticator: the toggle only turns it off.
  canTurnOnTwoFactorOf(subject: Pick<User, "username">): Decision {
    return deny("USER_MUST_ENABLE", `Two-factor authentication can only be turned on by ${subject.username}: the user must enable it on their Security page.`);
  },
  canEdit(subject: Pick<User, "status">): Decision {
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "This account is deleted.");
    return allow;
  },
  canDisable(actor: Actor, subject: Subject, activeAdmins: number): Decision {
    if (actor.id === subject.id) return OWN_ACCOUNT("disable");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "This account is deleted.");
    if (subject.status === "locked") return deny("ALREADY_DISABLED", `${subject.username} is already disabled.`);
    if (isLastActiveAdmin(subject, activeAdmins)) return LAST_ADMIN();
    return allow;
  },
  canEnable(subject: Subject): Decision {
    if (subject.status !== "locked") return deny("NOT_DISABLED", `${subject.username} is not disabled.`);
    return allow;
  },
  // Owners keep their workspaces alive: ownership moves first (seed: "If the
  // current account is the owner of the workspace, please transfer this role
  // permission first").
  canDelete(actor: Actor, subject: Subject, context: { activeAdmins: number; ownedWorkspaces: string[] }): Decision {
    if (actor.id === subject.id) return OWN_ACCOUNT("delete");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "This account is already deleted.");
    if (isLastActiveAdmin(subject, context.activeAdmins)) return LAST_ADMIN();
    if (context.ownedWorkspaces.length > 0) {
      return deny("WORKSPACE_OWNER", `${subject.username} owns ${context.ownedWorkspaces.join(", ")}. Transfer the ownership of ${context.ownedWorkspaces.length === 1 ? "that workspace" : "those workspaces"} first.`);
    }
    return allow;
  },
  canGrantAdmin(subject: Subject): Decision {
    if (subject.status !== "active") return deny("ACCOUNT_NOT_ACTIVE", `${subject.username} is not active.`);
    if (subject.isInstanceAdmin) return deny("ALREADY_ADMIN", `${subject.username} is already an instance administrator.`);
    return allow;
  },
  canRevokeAdmin(subject: Subject, activeAdmins: number): Decision {
    if (!subject.isInstanceAdmin) return deny("NOT_ADMIN", `${subject.username} is not an instance administrator.`);
    if (isLastActiveAdmin(subject, activeAdmins)) return LAST_ADMIN();
    return allow;
  },
};
