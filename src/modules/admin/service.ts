import type { Deps } from "../../deps.js";
import { notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../audit/service.js";
import { assertPasswordAllowed, sendPasswordChangedNotice, storeNewPassword } from "../password/service.js";
import type { NewPasswordInput } from "../password/schema.js";
import { endSessionsOfUser } from "../sessions/service.js";
import { findUserById } from "../users/repo.js";
import type { User } from "../users/tables.js";
import { adminPolicy, assertAdminMay } from "./policy.js";

export const ADMIN_PASSWORD_SET = "admin.password_set";

type AdminDeps = Pick<Deps, "db" | "config" | "clock" | "sessionIndex">;

export async function requireUserById(deps: Pick<Deps, "db">, id: string): Promise<User> {
  const user = await findUserById(deps.db, id);
  if (!user) throw notFound();
  return user;
}

// The administrator chooses the password, so every session of the account
// ends (whoever holds one may be the reason for the reset) and the owner is
// told by email.
export async function setPasswordAsAdmin(deps: AdminDeps, actor: User, subject: User, input: NewPasswordInput, meta: RequestMeta): Promise<{ signedOut: number }> {
  assertAdminMay(adminPolicy.canSetPasswordOf(actor, subject));
  assertPasswordAllowed(input.newPassword, subject);
  const at = await storeNewPassword(deps, subject, input.newPassword, { action: ADMIN_PASSWORD_SET, actorId: actor.id, meta });
  const signedOut = await endSessionsOfUser(deps, subject.id, { exceptSid: null, actorId: actor.id, reason: "admin_password_set" }, meta);
  await sendPasswordChangedNotice(deps, subject, { kind: "admin", at, otherSessionsEnded: true }, meta);
  return { signedOut };
}
