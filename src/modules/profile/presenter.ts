import type { User } from "../users/index.js";

export function presentAccount(user: User) {
  return {
    username: user.username,
    email: user.email,
    emailVerified: Boolean(user.emailVerifiedAt),
    accountType: user.passwordHash ? "profile:account.local" : "profile:account.sso",
    isInstanceAdmin: user.isInstanceAdmin,
    memberSince: user.createdAt,
  };
}

export function initialsOf(username: string): string {
  return username.slice(0, 2).toUpperCase();
}

// A stable address per user; the version parameter changes with the image, so
// a new avatar is never hidden behind a cached old one.
export function avatarUrl(userId: string, etag: string): string {
  return `/avatars/${userId}?v=${etag.slice(0, 16)}`;
}

export function presentAvatar(user: Pick<User, "id" | "username">, etag: string | null) {
  return {
    url: etag ? avatarUrl(user.id, etag) : null,
    initials: initialsOf(user.username),
  };
}
