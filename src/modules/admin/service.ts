import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { assertPasswordAllowed, storeNewPassword, type NewPasswordInput } from "../password/index.js";
import { isTwoFactorEnabled, resetTwoFactor } from "../two-factor/index.js";
import { findUserById, type User } from "../users/index.js";
import { adminEvents } from "./events.js";
import { adminPolicy, type Decision } from "./policy.js";

type AdminDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex" | "logger">;

function assertAllowed(decision: Decision): void {
  if (!decision.allowed) throw new AppError(409, decision.code, { message: decision.message });
}

export async function requireUserById(deps: Pick<Deps, "db">, id: string): Promise<User> {
  const user = await findUserById(deps.db, id);
  if (!user) throw notFound();
  return user;
}

// The administrator chooses the password, so every session of the account
// ends (whoever holds one may be the reason for the reset) and the owner is
// told by email.
export async function setPasswordAsAdmin(deps: AdminDeps, actor: User, subject: User, input: NewPasswordInput, meta: RequestMeta): Promise<{ signedOut: number }> {
  assertAllowed(adminPolicy.canSetPasswordOf(actor, subject));
  assertPasswordAllowed(input.newPassword, subject);
  return storeNewPassword(deps, subject, input.newPassword, {
    event: adminEvents.passwordSet(actor, subject, deps.config.baseUrl),
    meta,
    signOut: { exceptSid: null, actorId: actor.id, reason: "admin_password_set" },
  });
}

export async function resetTwoFactorAsAdmin(deps: AdminDeps, actor: User, subject: User, meta: RequestMeta): Promise<void> {
  assertAllowed(adminPolicy.canResetTwoFactorOf(actor, subject, isTwoFactorEnabled(subject)));
  await resetTwoFactor(deps, actor.id, subject, null, meta);
}
