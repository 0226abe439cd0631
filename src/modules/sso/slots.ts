import type { PendingAuthorization } from "../../platform/oidc.js";
import { sessionSlot } from "../../web/session/slots.js";

// An SSO sign-in between the redirect to the provider and its callback: the
// state, nonce and PKCE verifier live only in this browser's server session,
// so a callback delivered to any other browser (or twice) finds nothing.
export interface PendingSso {
  workspaceId: string;
  returnTo: string;
  startedAt: number;
  authorization: PendingAuthorization;
}

export const pendingSso = sessionSlot<PendingSso>("pendingSso");
export const PENDING_SSO_TTL_MS = 10 * 60_000;
