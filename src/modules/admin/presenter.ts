import { formatDay, formatUtc } from "../../platform/format.js";
import type { User } from "../users/index.js";

const STATUS_LABELS = { active: "Active", locked: "Locked", cancelled: "Cancelled" } as const;

export function presentUserRow(user: User) {
  return {
    id: user.id,
    url: `/admin/users/${user.id}`,
    username: user.username,
    email: user.email,
    twoFactor: user.totpEnabledAt ? "On" : "Off",
    twoFactorEnabled: Boolean(user.totpEnabledAt),
    isInstanceAdmin: user.isInstanceAdmin,
    status: user.status,
    statusLabel: STATUS_LABELS[user.status],
    createdAt: formatDay(user.createdAt),
  };
}

export function presentUserDetails(user: User, viewerId: string) {
  return {
    ...presentUserRow(user),
    accountType: user.passwordHash ? "Local account" : "Single sign-on account",
    emailVerified: Boolean(user.emailVerifiedAt),
    passwordChangedAt: formatUtc(user.passwordChangedAt, "Never"),
    hasPassword: Boolean(user.passwordHash),
    isViewer: user.id === viewerId,
  };
}
