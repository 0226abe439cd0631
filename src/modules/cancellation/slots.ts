import { sessionSlot } from "../../web/session/slots.js";

// When this session last proved who it is for the cancellation wizard (ms).
export const cancellationVerifiedSlot = sessionSlot<{ userId: string; at: number }>("cancellationVerified");
