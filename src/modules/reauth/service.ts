import { AppError } from "../../platform/errors.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import type { LoginThrottle } from "../auth/throttle.js";
import type { User } from "../users/tables.js";
import { availableMethods, type ReauthDeps } from "./methods.js";

// Failed re-authentications count against the same per-account limits as
// sign-in, so a stolen session cannot be used to guess the password.
export async function reauthenticate(
  deps: ReauthDeps & { throttle: LoginThrottle },
  user: User,
  methodId: string,
  input: Record<string, string>,
  meta: RequestMeta,
): Promise<void> {
  const method = availableMethods(user).find((candidate) => candidate.id === methodId);
  if (!method) throw new AppError(422, "REAUTH_METHOD_UNAVAILABLE", { message: "Choose a way to confirm it is you." });
  const accountKey = `user:${user.id}`;
  await deps.throttle.assertAllowed(accountKey, meta.ip);
  if (!(await method.verify(deps, user, input, meta))) {
    await deps.throttle.recordFailure(accountKey, meta.ip);
    await recordAudit(deps.db, { action: "auth.reauth_failed", actorId: user.id, subjectId: user.id, details: { method: method.id } }, meta);
    const field = method.fields[0]?.name;
    throw new AppError(401, "REAUTH_FAILED", { field, message: `That ${method.label.toLowerCase()} is not correct${method.id === "password" ? "" : " or was already used"}.` });
  }
  await deps.throttle.recordSuccess(accountKey, meta.ip);
  await recordAudit(deps.db, { action: "auth.reauthenticated", actorId: user.id, subjectId: user.id, details: { method: method.id } }, meta);
}
