import { AppError } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { parseFactorInput, type AuthMethod } from "../../web/sign-in/auth-method.js";
import { recordEvent } from "../audit/index.js";
import type { User } from "../users/index.js";
import { reauthEvents } from "./events.js";

export function reauthMethodsFor(deps: WebDeps, user: User): Promise<AuthMethod[]> {
  return deps.authMethods.reauthMethodsFor(deps, user);
}

// Step-up with any registered method the account has. Failures count against
// the same limits as signing in (a password against the sign-in limits, a
// code against the second-factor limits), so a stolen session cannot be used
// to guess either.
export async function reauthenticate(deps: WebDeps, user: User, methodId: string, body: unknown, context: { meta: RequestMeta; sessionId: string }): Promise<void> {
  const { meta } = context;
  const method = (await reauthMethodsFor(deps, user)).find((candidate) => candidate.id === methodId);
  if (!method) throw new AppError(422, "REAUTH_METHOD_UNAVAILABLE", { message: "codes:web.chooseWay" });
  const factor = method.reauth!;
  const input = parseFactorInput(factor.fields, body);
  const accountKey = `user:${user.id}`;
  if (factor.kind === "knowledge") await deps.loginThrottle.assertAllowed(accountKey, meta.ip);
  else await deps.secondFactorThrottle.assertAllowed(user.id, meta.ip);
  try {
    await factor.verify({ deps, ...context }, user, input);
  } catch (error) {
    if (!(error instanceof AppError && error.status === 422)) throw error;
    const { accountJustLocked } =
      factor.kind === "knowledge" ? await deps.loginThrottle.recordFailure(accountKey, meta.ip) : await deps.secondFactorThrottle.recordFailure(user.id, meta.ip);
    await recordEvent(deps.db, reauthEvents.failed(user, method.id, accountJustLocked, deps.config.baseUrl), meta, deps.clock.now());
    const field = factor.fields[0]?.name;
    throw new AppError(401, "REAUTH_FAILED", { field, message: factor.kind === "knowledge" ? "reauth:errors.knowledge" : "reauth:errors.possession", details: { method: `reauth:methodLower.${method.id}` } });
  }
  if (factor.kind === "knowledge") await deps.loginThrottle.recordSuccess(accountKey, meta.ip);
  await recordEvent(deps.db, reauthEvents.reauthenticated(user, method.id), meta, deps.clock.now());
}
