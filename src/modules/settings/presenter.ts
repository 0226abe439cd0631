import type { User } from "../users/tables.js";

export function presentAccount(user: User) {
  return {
    username: user.username,
    email: user.email,
    emailVerified: Boolean(user.emailVerifiedAt),
    accountType: user.passwordHash ? "Local account" : "Single sign-on account",
    isInstanceAdmin: user.isInstanceAdmin,
    memberSince: user.createdAt.toISOString().slice(0, 10),
  };
}
