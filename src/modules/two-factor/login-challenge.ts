import type { Deps } from "../../deps.js";
import { AppError } from "../../platform/errors.js";
import type { RequestMeta } from "../audit/service.js";
import { sendCode, verifyCode, type CodeTarget } from "../codes/service.js";
import type { User } from "../users/tables.js";
import { isTwoFactorEnabled, verifySecondFactor, type SecondFactorProof, type SecondFactorResult } from "./service.js";

// The second sign-in step. After a correct password the (still anonymous)
// session holds a challenge; the account is signed in only when it is met.
// Five wrong codes end the challenge and the password must be entered again.
export type SecondStepMethod = "totp" | "email" | "sms";

export interface LoginChallenge {
  userId: string;
  method: SecondStepMethod;
  wrongAttempts: number;
  startedAt: number;
  returnTo: string;
}

export const MAX_CHALLENGE_FAILURES = 5;
const CHALLENGE_TTL_MS = 10 * 60_000;

// TOTP, once enabled, is forced; email and SMS apply only to verified contacts.
export function secondStepFor(user: User): SecondStepMethod | null {
  if (isTwoFactorEnabled(user)) return "totp";
  if (user.loginVerification === "email" && user.emailVerifiedAt) return "email";
  if (user.loginVerification === "sms" && user.phone && user.phoneVerifiedAt) return "sms";
  return null;
}

const loginCodeTarget = (user: User, method: "email" | "sms"): CodeTarget => ({
  userId: user.id,
  purpose: "login",
  channel: method,
  target: method === "email" ? user.email : user.phone!,
});

export async function sendLoginCode(deps: Pick<Deps, "db" | "redis" | "config" | "clock">, user: User, method: "email" | "sms") {
  return sendCode(deps, loginCodeTarget(user, method), (code) =>
    method === "email"
      ? `Your Latchkey sign-in code\n\nYour sign-in code is ${code}. It expires in 10 minutes.\nIf you did not try to sign in, change your password.`
      : `Latchkey sign-in code: ${code} (expires in 10 minutes).`,
  );
}

export function assertChallengeLive(challenge: LoginChallenge | undefined, nowMs: number): LoginChallenge {
  if (!challenge || nowMs - challenge.startedAt > CHALLENGE_TTL_MS || challenge.wrongAttempts >= MAX_CHALLENGE_FAILURES) {
    throw new AppError(401, "CHALLENGE_EXPIRED", { message: "Your sign-in expired. Enter your password again." });
  }
  return challenge;
}

export type ChallengeProof = SecondFactorProof | { kind: "code"; code: string };

// Throws on a wrong code after counting it against the challenge. Errors that
// are not a wrong answer (the database is down) do not count.
export async function answerChallenge(
  deps: Pick<Deps, "db" | "redis" | "config" | "clock">,
  challenge: LoginChallenge,
  user: User,
  proof: ChallengeProof,
  meta: RequestMeta,
): Promise<SecondFactorResult> {
  try {
    if (proof.kind === "code") {
      if (challenge.method === "totp") throw new AppError(422, "TOTP_INVALID", { field: "code", message: "Enter the code from your authenticator app." });
      await verifyCode(deps, loginCodeTarget(user, challenge.method), proof.code);
      return { usedBackupCode: false, backupCodesLeft: null };
    }
    if (challenge.method !== "totp") throw new AppError(422, "CODE_INVALID", { field: "code", message: "Enter the code we sent you." });
    return await verifySecondFactor(deps, user, proof, meta);
  } catch (error) {
    if (error instanceof AppError && error.status === 422) {
      challenge.wrongAttempts++;
      if (challenge.wrongAttempts >= MAX_CHALLENGE_FAILURES) {
        throw new AppError(401, "CHALLENGE_FAILED", { message: "Too many wrong codes. Enter your password again." });
      }
      const left = MAX_CHALLENGE_FAILURES - challenge.wrongAttempts;
      const reason = error.message.replace(/\s*\d+ (tries|try) left\.$/, "");
      throw new AppError(422, error.code, { field: error.field, message: `${reason} ${left} ${left === 1 ? "try" : "tries"} left.` });
    }
    throw error;
  }
}
