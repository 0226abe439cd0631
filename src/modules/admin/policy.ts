import type { User } from "../users/index.js";

// `message` is a locale key (admin:errors.*) with `details` as its variables;
// the error handler translates it for the reader.
export type Decision = { allowed: true } | { allowed: false; code: string; message: string; details?: Record<string, unknown> };

const allow: Decision = { allowed: true };
const deny = (code: string, message: string, details?: Record<string, unknown>): Decision => ({ allowed: false, code, message, ...(details ? { details } : {}) });

type Subject = Pick<User, "id" | "username" | "status" | "isInstanceAdmin">;
// Who acts: a signed-in administrator, or the operator console (id null),
// which is the administrator of last resort and has no account to protect.
type Actor = { id: string | null };

// The last active instance administrator is the one account that can always
// get back in and let others in; nothing takes that role away from it.
export const isLastActiveAdmin = (subject: Pick<User, "isInstanceAdmin" | "status">, activeAdmins: number): boolean =>
  subject.isInstanceAdmin && subject.status === "active" && activeAdmins <= 1;

const LAST_ADMIN = () => deny("LAST_ADMIN", "admin:errors.lastAdmin");
const OWN_ACCOUNT = (what: "disable" | "delete") => deny("OWN_ACCOUNT", what === "disable" ? "admin:errors.ownDisable" : "admin:errors.ownDelete");

// What an instance administrator may do to an account: decisions only, no
// I/O (policy.test.ts). Checked in the service; the page only mirrors it.
export const adminPolicy = {
  // Your own password changes on the security page, which asks for the
  // current one (ASVS 6.2.3); this form would skip that check.
  canSetPasswordOf(actor: Actor, subject: Pick<User, "id" | "status" | "passwordHash">): Decision {
    if (actor.id === subject.id) return deny("OWN_PASSWORD", "admin:errors.ownPassword");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "admin:errors.cancelled");
    if (!subject.passwordHash) return deny("NO_LOCAL_PASSWORD", "admin:errors.noLocalPassword");
    return allow;
  },
  // Your own 2FA is managed (and its loss recovered) on your security page.
  canResetTwoFactorOf(actor: Actor, subject: Pick<User, "id" | "username">, subjectHasTwoFactor: boolean): Decision {
    if (actor.id === subject.id) return deny("OWN_ACCOUNT", "admin:errors.ownTwoFactor");
    if (!subjectHasTwoFactor) return deny("TWO_FACTOR_NOT_ENABLED", "admin:errors.noTwoFactor", { username: subject.username });
    return allow;
  },
  // Only the account's owner can enrol an authenticator: the toggle only turns it off.
  canTurnOnTwoFactorOf(subject: Pick<User, "username">): Decision {
    return deny("USER_MUST_ENABLE", "admin:errors.userMustEnable", { username: subject.username });
  },
  canEdit(subject: Pick<User, "status">): Decision {
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "admin:errors.deleted");
    return allow;
  },
  canDisable(actor: Actor, subject: Subject, activeAdmins: number): Decision {
    if (actor.id === subject.id) return OWN_ACCOUNT("disable");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "admin:errors.deleted");
    if (subject.status === "locked") return deny("ALREADY_DISABLED", "admin:errors.alreadyDisabled", { username: subject.username });
    if (isLastActiveAdmin(subject, activeAdmins)) return LAST_ADMIN();
    return allow;
  },
  canEnable(subject: Subject): Decision {
    if (subject.status !== "locked") return deny("NOT_DISABLED", "admin:errors.notDisabled", { username: subject.username });
    return allow;
  },
  // Owners keep their workspaces alive: ownership moves first (seed: "If the
  // current account is the owner of the workspace, please transfer this role
  // permission first").
  canDelete(actor: Actor, subject: Subject, context: { activeAdmins: number; ownedWorkspaces: string[] }): Decision {
    if (actor.id === subject.id) return OWN_ACCOUNT("delete");
    if (subject.status === "cancelled") return deny("ACCOUNT_CANCELLED", "admin:errors.alreadyDeleted");
    if (isLastActiveAdmin(subject, context.activeAdmins)) return LAST_ADMIN();
    if (context.ownedWorkspaces.length > 0) {
      return deny("WORKSPACE_OWNER", context.ownedWorkspaces.length === 1 ? "admin:errors.ownsWorkspace" : "admin:errors.ownsWorkspaces", {
        username: subject.username,
        workspaces: context.ownedWorkspaces.join(", "),
      });
    }
    return allow;
  },
  canGrantAdmin(subject: Subject): Decision {
    if (subject.status !== "active") return deny("ACCOUNT_NOT_ACTIVE", "admin:errors.notActive", { username: subject.username });
    if (subject.isInstanceAdmin) return deny("ALREADY_ADMIN", "admin:errors.alreadyAdmin", { username: subject.username });
    return allow;
  },
  canRevokeAdmin(subject: Subject, activeAdmins: number): Decision {
    if (!subject.isInstanceAdmin) return deny("NOT_ADMIN", "admin:errors.notAdmin", { username: subject.username });
    if (isLastActiveAdmin(subject, activeAdmins)) return LAST_ADMIN();
    return allow;
  },
};
