import type { User } from "../users/tables.js";

const STATUS_LABELS = { active: "Active", locked: "Locked", cancelled: "Cancelled" } as const;

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

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
    createdAt: day(user.createdAt),
  };
}

export function presentUserDetails(user: User, viewerId: string) {
  return {
    ...presentUserRow(user),
    accountType: user.passwordHash ? "Local account" : "Single sign-on account",
    emailVerified: Boolean(user.emailVerifiedAt),
    passwordChangedAt: user.passwordChangedAt ? user.passwordChangedAt.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "Never",
    hasPassword: Boolean(user.passwordHash),
    isViewer: user.id === viewerId,
  };
}
