import type { WorkspaceRole } from "../workspaces/index.js";

export interface MemberRef {
  id: string;
  role: WorkspaceRole;
}

export type Decision = { allowed: true } | { allowed: false; code: string; message: string };
const allow: Decision = { allowed: true };
const deny = (code: string, message: string): Decision => ({ allowed: false, code, message });

const isManager = (role: WorkspaceRole) => role === "owner" || role === "admin";
const ONLY_OWNER_GRANTS_ADMIN = () => deny("ONLY_OWNER_GRANTS_ADMIN", "Only the workspace's owner can make someone an admin.");

// Who may do what to another member: decisions only, no I/O (policy.test.ts).
// The services check them; pages only mirror them.
export const memberPolicy = {
  // Owners and admins reset a member's 2FA, never their own (that is what
  // their security settings are for). Only the owner resets an admin's; the
  // owner's own is reset only by an instance administrator.
  canResetTwoFactor: (actor: MemberRef, target: MemberRef): boolean =>
    (actor.role === "owner" || actor.role === "admin") && actor.id !== target.id && target.role !== "owner" && !(actor.role === "admin" && target.role === "admin"),

  // Everyone sees who is in the workspace; only owners and admins change it.
  canManageMembers: (actor: Pick<MemberRef, "role">): boolean => isManager(actor.role),

  // Invitations and direct additions: admins bring in members, only the owner admins.
  canInvite(actor: Pick<MemberRef, "role">, role: "admin" | "member"): Decision {
    if (!isManager(actor.role)) return deny("FORBIDDEN", "Only the workspace's owner and admins can invite people.");
    if (role === "admin" && actor.role !== "owner") return ONLY_OWNER_GRANTS_ADMIN();
    return allow;
  },

  // Only the owner changes roles (an admin may not promote, nor demote a
  // peer); the owner's role moves only by an ownership transfer.
  canChangeRole(actor: MemberRef, target: MemberRef, role: "admin" | "member"): Decision {
    if (actor.id === target.id) return deny("OWN_ROLE", "You cannot change your own role.");
    if (target.role === "owner") return deny("OWNER_ROLE", "The owner's role changes only by transferring ownership.");
    if (actor.role !== "owner") return role === "admin" ? ONLY_OWNER_GRANTS_ADMIN() : deny("FORBIDDEN", "Only the workspace's owner can change roles.");
    return allow;
  },

  // The owner is never removed (the workspace would have none): ownership
  // moves first. Admins remove members, not other admins.
  canRemove(actor: MemberRef, target: MemberRef): Decision {
    if (target.role === "owner") return deny("LAST_OWNER", "The owner cannot be removed. Transfer ownership first.");
    if (actor.id === target.id) return deny("OWN_MEMBERSHIP", "You cannot remove yourself.");
    if (actor.role === "owner") return allow;
    if (actor.role === "admin" && target.role === "member") return allow;
    return deny("FORBIDDEN", actor.role === "admin" ? "Only the workspace's owner can remove an admin." : "Only the workspace's owner and admins can remove members.");
  },

  canTransferOwnership(actor: MemberRef, target: MemberRef): Decision {
    if (actor.role !== "owner") return deny("FORBIDDEN", "Only the workspace's owner can transfer ownership.");
    if (actor.id === target.id) return deny("OWN_MEMBERSHIP", "Choose another member: you already own this workspace.");
    return allow;
  },
};
