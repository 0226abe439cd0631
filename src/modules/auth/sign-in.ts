import type { Request, Response } from "express";
import { AppError } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { redirectTo, safeReturnTo, setFlash } from "../../web/render.js";
import type { AuthMethod, FactorOutcome, MethodContext } from "../../web/sign-in/auth-method.js";
import { liveChallenge, MAX_CHALLENGE_FAILURES, pendingSignIn, type PendingSignIn } from "../../web/sign-in/challenge.js";
import { establishSession } from "../../web/sign-in/session-auth.js";
import { recordEvent, recordSignIn } from "../audit/index.js";
import { adoptBrowserTimeZone } from "../profile/index.js";
import { findUserById, type User } from "../users/index.js";
import { listMembershipsOfUser } from "../workspaces/index.js";
import { authEvents } from "./events.js";

// The sign-in pipeline's driver: first factor -> (second factor) -> session.
// It offers whatever registered methods the account has and never names one;
// only web/sign-in/session-auth.ts writes the session's authentication keys.

const methodContext = (deps: WebDeps, req: Request): MethodContext => ({ deps, meta: requestMeta(req), sessionId: req.sessionID });

// The last step of every sign-in: a new session id, the first workspace
// active (or the one whose own sign-in was used), the factors used, an event.
async function completeSignIn(
  deps: WebDeps,
  req: Request,
  res: Response,
  user: User,
  factors: string[],
  returnTo: string | undefined,
  outcome: FactorOutcome = {},
  viaWorkspaceId?: string,
  browserTimeZone?: string,
) {
  const memberships = await listMembershipsOfUser(deps.db, user.id);
  const workspace = memberships.find((membership) => membership.workspace.id === viaWorkspaceId)?.workspace ?? memberships[0]?.workspace;
  const multiFactor = factors.length > 1 || Boolean(deps.authMethods.get(factors[0]!)?.firstFactor?.satisfiesSecondFactor);
  await establishSession(req, deps, { userId: user.id, workspace, factors, multiFactor, viaWorkspaceId: viaWorkspaceId ?? null });
  outcome.onSignedIn?.(req);
  // The browser's zone becomes the account's default when it has none yet.
  await adoptBrowserTimeZone(deps.db, user, browserTimeZone);
  if (outcome.flash) setFlash(req, outcome.flash.kind, outcome.flash.message, outcome.flash.vars);
  // The event, then the new-device alert (sets the device cookie, so before the response).
  await recordSignIn(deps, req, res, user, authEvents.signedIn(user, workspace?.id ?? null, factors), requestMeta(req));
  deps.metrics.signIns.inc({ outcome: "success" });
  redirectTo(req, res, safeReturnTo(returnTo, "/"));
}

// After a first factor: sign in now, or open the second step with the
// account's first second-factor method (sending its code, if it has one).
// `viaWorkspaceId`: the first factor was that workspace's own sign-in (its
// SSO); the session is signed into that workspace and remembers it.
export async function afterFirstFactor(
  deps: WebDeps,
  req: Request,
  res: Response,
  user: User,
  method: AuthMethod,
  returnTo: string | undefined,
  options: { viaWorkspaceId?: string; browserTimeZone?: string } = {},
) {
  const second = method.firstFactor?.satisfiesSecondFactor ? [] : await deps.authMethods.secondFactorsFor(deps, user);
  if (second.length === 0) return completeSignIn(deps, req, res, user, [method.id], returnTo, {}, options.viaWorkspaceId, options.browserTimeZone);
  // Nothing is signed in yet: the anonymous session only holds the challenge.
  pendingSignIn.set(req, {
    userId: user.id,
    firstFactor: method.id,
    wrongAttempts: 0,
    startedAt: deps.clock.now().getTime(),
    returnTo: safeReturnTo(returnTo, "/"),
    ...(options.viaWorkspaceId ? { viaWorkspaceId: options.viaWorkspaceId } : {}),
    ...(options.browserTimeZone ? { browserTimeZone: options.browserTimeZone.slice(0, 64) } : {}),
  });
  await second[0]!.secondFactor!.begin?.(methodContext(deps, req), user);
  deps.metrics.signIns.inc({ outcome: "second_step" });
  redirectTo(req, res, "/login/verify");
}

export interface SecondStep {
  challenge: PendingSignIn;
  user: User;
  methods: AuthMethod[];
}

// The live challenge and its account; a 401 when it is gone or failed.
export async function loadSecondStep(deps: WebDeps, req: Request): Promise<SecondStep> {
  const challenge = liveChallenge(req, deps.clock.now().getTime());
  const user = await findUserById(deps.db, challenge.userId);
  const methods = user && user.status === "active" ? await deps.authMethods.secondFactorsFor(deps, user) : [];
  if (!user || methods.length === 0) throw new AppError(401, "CHALLENGE_EXPIRED", { message: "auth:errors.challengeExpired" });
  return { challenge, user, methods };
}

// Which method an answer is for: the one named, else the first whose fields
// were all filled in (an authenticator code, or a backup code instead).
export function methodForAnswer(step: SecondStep, input: Record<string, string>): AuthMethod {
  const named = step.methods.find((method) => method.id === input.method);
  if (named) return named;
  const filled = step.methods.find((method) => method.secondFactor!.fields.every((field) => (input[field.name] ?? "").trim() !== ""));
  return filled ?? step.methods[0]!;
}

export function endSecondStep(req: Request): void {
  pendingSignIn.clear(req);
}

// Checks one answer. A wrong one counts against this challenge (5 end it) and
// against the account and IP across challenges (10 in 15 minutes pause the
// second step; the owner is told). Errors that are not a wrong answer (a
// dependency is down) count nothing.
export async function answerSecondStep(deps: WebDeps, req: Request, res: Response, step: SecondStep, method: AuthMethod, input: Record<string, string>) {
  const { challenge, user } = step;
  const meta = requestMeta(req);
  await deps.secondFactorThrottle.assertAllowed(user.id, meta.ip);
  let outcome: FactorOutcome;
  try {
    outcome = await method.secondFactor!.verify(methodContext(deps, req), user, input);
  } catch (error) {
    if (!(error instanceof AppError && error.status === 422)) throw error;
    challenge.wrongAttempts++;
    pendingSignIn.set(req, challenge);
    // The method id is a fixed vocabulary (totp, backup-code, …): never the answer.
    deps.metrics.secondFactorFailures.inc({ method: method.id });
    const { accountJustLocked } = await deps.secondFactorThrottle.recordFailure(user.id, meta.ip);
    if (accountJustLocked) await recordEvent(deps.db, authEvents.secondFactorLocked(user, method.id, deps.config.baseUrl), meta, deps.clock.now());
    if (challenge.wrongAttempts >= MAX_CHALLENGE_FAILURES) {
      await recordEvent(deps.db, authEvents.secondStepFailed(user, method.id), meta, deps.clock.now());
      throw new AppError(401, "CHALLENGE_FAILED", { message: "auth:errors.challengeFailed" });
    }
    const left = MAX_CHALLENGE_FAILURES - challenge.wrongAttempts;
    // "That code is not correct. 4 tries left." (the reason is a key, translated inside).
    // A code's own count is replaced by this challenge's.
    const reason = error.message === "codes:errors.invalid" ? "codes:errors.notCorrect" : error.message;
    throw new AppError(422, error.code, { field: error.field, message: "auth:errors.triesLeft", details: { reason, count: left } });
  }
  await completeSignIn(deps, req, res, user, [challenge.firstFactor, method.id], challenge.returnTo, outcome, challenge.viaWorkspaceId, challenge.browserTimeZone);
}

export async function resendSecondStep(deps: WebDeps, req: Request, step: SecondStep, method: AuthMethod): Promise<boolean> {
  if (!method.secondFactor!.begin) return false;
  await method.secondFactor!.begin(methodContext(deps, req), step.user);
  return true;
}
