import type { Request } from "express";
import { AppError } from "../../platform/errors.js";
import { sessionSlot } from "../session/slots.js";

// A sign-in between its first and second factor. The (still anonymous)
// session holds it; the account is signed in only when a second factor is
// met. Five wrong answers end it and the first factor is asked again.
export interface PendingSignIn {
  userId: string;
  firstFactor: string;
  wrongAttempts: number;
  startedAt: number;
  returnTo: string;
  // Set when the first factor was a workspace's own sign-in (its SSO).
  viaWorkspaceId?: string;
  // The zone the browser reported on the sign-in form (a default for the account).
  browserTimeZone?: string;
}

export const MAX_CHALLENGE_FAILURES = 5;
const CHALLENGE_TTL_MS = 10 * 60_000;

export const pendingSignIn = sessionSlot<PendingSignIn>("pendingSignIn");

export function liveChallenge(req: Request, nowMs: number): PendingSignIn {
  const challenge = pendingSignIn.get(req);
  if (!challenge || nowMs - challenge.startedAt > CHALLENGE_TTL_MS || challenge.wrongAttempts >= MAX_CHALLENGE_FAILURES) {
    throw new AppError(401, "CHALLENGE_EXPIRED", { message: "auth:errors.challengeExpired" });
  }
  return challenge;
}
