import type { Deps } from "../../platform/deps.js";
import { translatorFor } from "../../platform/i18n.js";
import { AppError } from "../../platform/errors.js";
import { maskEmail, maskPhone } from "../../platform/mask.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { resendWaitSeconds, sendCode, verifyCode, type CodeTarget } from "../codes/index.js";
import type { LoginVerificationMethod, User } from "../users/index.js";
import { twoFactorEvents } from "./events.js";
import { loginVerificationPolicy } from "./policy.js";
import { setLoginVerification } from "./repo.js";
import { isTwoFactorEnabled, verifyTotp } from "./service.js";

// Changing how sign-ins are verified (seed 002: "select a verification
// method, and enter the verification code, OK"). A method that proves
// possession is chosen only with a code from it: email and SMS get a code
// first and switch when it is entered; the authenticator asks for a current
// code. "Password only" needs no code, only the fresh sign-in every change
// here needs (requireFreshAuth on the route).
type SwitchDeps = Pick<Deps, "db" | "redis" | "config" | "clock">;

export interface PendingSwitch {
  method: "email" | "sms" | "totp";
  startedAtMs: number;
  resendAtMs?: number;
}

const PENDING_TTL_MS = 10 * 60_000;
const PURPOSE = "login-verification";

const codeTarget = (user: User, method: "email" | "sms"): CodeTarget => ({
  userId: user.id,
  // Bound to the method: an email code never switches to SMS.
  purpose: `${PURPOSE}:${method}`,
  channel: method,
  target: method === "email" ? user.email : user.phone!,
});

// In the account's saved language (an email's first line is its subject).
const compose = (method: "email" | "sms", user: User) => (code: string) =>
  translatorFor(user.language)(method === "email" ? "two-factor:codeMail.switchEmail" : "two-factor:codeMail.switchSms", { code });

export function livePending(pending: PendingSwitch | undefined, nowMs: number): PendingSwitch | undefined {
  return pending && nowMs - pending.startedAtMs < PENDING_TTL_MS ? pending : undefined;
}

export type SwitchOutcome = { switched: true } | { switched: false; pending: PendingSwitch };

export async function chooseLoginVerification(
  deps: SwitchDeps,
  user: User,
  input: { method: LoginVerificationMethod; code?: string },
  pendingNow: PendingSwitch | undefined,
  meta: RequestMeta,
): Promise<SwitchOutcome> {
  const { method } = input;
  const unavailable = loginVerificationPolicy.whyUnavailable(user, method);
  if (unavailable) throw new AppError(422, "LOGIN_VERIFICATION_UNAVAILABLE", { field: "method", message: unavailable });
  const nowMs = deps.clock.now().getTime();
  // Choosing what is already in force changes nothing and asks nothing.
  const inForce = isTwoFactorEnabled(user) ? "totp" : user.loginVerification;
  if (method === inForce && method === user.loginVerification) return { switched: true };
  if (method === "none") return save(deps, user, method, meta);

  const pending = livePending(pendingNow, nowMs);
  // The code field is posted (even empty) only by the code step.
  if (input.code === undefined) {
    if (method === "totp") return { switched: false, pending: { method, startedAtMs: nowMs } };
    const { resendAtMs } = await sendCode(deps, codeTarget(user, method), compose(method, user));
    return { switched: false, pending: { method, startedAtMs: nowMs, resendAtMs } };
  }
  // A code only ever confirms the switch it was asked for, in this session.
  if (pending?.method !== method) {
    throw new AppError(409, "NO_PENDING_SWITCH", { message: "two-factor:verification.switch.noPending" });
  }
  const code = input.code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(code)) throw new AppError(422, "CODE_INVALID", { field: "code", message: "two-factor:errors.sixDigits" });
  if (method === "totp") await verifyTotp(deps, user, code);
  else await verifyCode(deps, codeTarget(user, method), code);
  return save(deps, user, method, meta);
}

// "Send a new code" on the code step.
export async function resendSwitchCode(deps: SwitchDeps, user: User, pendingNow: PendingSwitch | undefined): Promise<PendingSwitch> {
  const pending = livePending(pendingNow, deps.clock.now().getTime());
  if (!pending || pending.method === "totp") throw new AppError(409, "NO_PENDING_SWITCH", { message: "two-factor:verification.switch.noPending" });
  const unavailable = loginVerificationPolicy.whyUnavailable(user, pending.method);
  if (unavailable) throw new AppError(422, "LOGIN_VERIFICATION_UNAVAILABLE", { field: "method", message: unavailable });
  const { resendAtMs } = await sendCode(deps, codeTarget(user, pending.method), compose(pending.method, user));
  return { ...pending, startedAtMs: deps.clock.now().getTime(), resendAtMs };
}

async function save(deps: SwitchDeps, user: User, method: LoginVerificationMethod, meta: RequestMeta): Promise<SwitchOutcome> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await setLoginVerification(tx, user.id, method, now);
    await recordEvent(tx, twoFactorEvents.loginVerificationChanged(user, method), meta, now);
  });
  return { switched: true };
}

export function presentPendingSwitch(pendingNow: PendingSwitch | undefined, user: User, nowMs: number) {
  const pending = livePending(pendingNow, nowMs);
  if (!pending) return null;
  const sentTo = pending.method === "email" ? maskEmail(user.email) : pending.method === "sms" && user.phone ? maskPhone(user.phone) : null;
  return {
    method: pending.method,
    sentTo,
    resendInSeconds: pending.resendAtMs ? resendWaitSeconds(pending.resendAtMs, nowMs) : 0,
  };
}
