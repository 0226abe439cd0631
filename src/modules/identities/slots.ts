import type { PendingAuthorization } from "../../platform/oidc.js";
import { sessionSlot } from "../../web/session/slots.js";

// A flow between "Continue with …"/"Bind" and the provider's callback, held
// by this browser session only: the state, nonce and PKCE verifier never
// leave the server, and the callback is accepted once (the slot is cleared
// before anything is checked).
export interface IdentityFlow {
  providerId: string;
  // "reauth": a signed-in account confirms it is still the person behind
  // one of its bound identities (step-up without a password).
  purpose: "bind" | "sign-in" | "reauth";
  // Bind and reauth: the account that started it (the callback must come back to it).
  userId: string | null;
  returnTo: string;
  startedAt: number;
  pending: PendingAuthorization;
}

export const identityFlowSlot = sessionSlot<IdentityFlow>("identityFlow");

export const FLOW_TTL_MS = 10 * 60_000;
