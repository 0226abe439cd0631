import { sessionSlot } from "../../web/session/slots.js";
import type { PendingSwitch } from "./verification-switch.js";

// The sealed TOTP secret being enrolled: only the server session holds it.
export const pendingTotpSecret = sessionSlot<string>("pendingTotpSecret");
// Set after a sign-in with a backup code: offers re-enrolment right away.
export const signedInWithBackupCode = sessionSlot<boolean>("signedInWithBackupCode");
// A change of the sign-in verification method waiting for its code.
export const pendingLoginVerification = sessionSlot<PendingSwitch>("pendingLoginVerification");
