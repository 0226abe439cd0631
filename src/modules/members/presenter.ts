import type { User, } from "../users/index.js";
import type { WorkspaceRole } from "../workspaces/index.js";
import { isTwoFactorEnabled } from "../two-factor/index.js";
import { memberPolicy, type MemberRef } from "./policy.js";

export function presentMember(member: { user: User; role: WorkspaceRole }, viewer: MemberRef) {
  const twoFactor = isTwoFactorEnabled(member.user);
  return {
    id: member.user.id,
    username: member.user.username,
    email: member.user.email,
    role: member.role,
    twoFactor,
    canResetTwoFactor: twoFactor && memberPolicy.canResetTwoFactor(viewer, { id: member.user.id, role: member.role }),
  };
}
