import { maskEmail, maskPhone } from "../../platform/mask.js";
import { resendWaitSeconds } from "../codes/index.js";
import type { User } from "../users/index.js";
import type { ContactChannel } from "./channels.js";
import type { ContactFlow } from "./service.js";

export function presentChannel(channel: ContactChannel, user: User, flow: ContactFlow | undefined, nowMs: number) {
  const current = channel.current(user);
  const verified = channel.isVerified(user);
  const mask = channel.id === "email" ? maskEmail : maskPhone;
  return {
    id: channel.id,
    title: channel.id === "email" ? "Email" : "Phone",
    inputType: channel.id === "email" ? "email" : "tel",
    inputLabel: channel.id === "email" ? "Email address" : "Phone number (international format)",
    autocomplete: channel.id === "email" ? "email" : "tel",
    current,
    verified,
    // "view": a verified value and no flow; "new" doubles as the bind form.
    stage: flow?.stage ?? (verified ? "view" : "new"),
    isChange: verified,
    maskedCurrent: current ? mask(current) : null,
    target: flow?.target ?? null,
    identityCodeSent: Boolean(flow?.identityCodeSent),
    resendInSeconds: flow?.resendAtMs ? resendWaitSeconds(flow.resendAtMs, nowMs) : 0,
    canUsePassword: Boolean(user.passwordHash),
    prefill: !verified && channel.id === "email" ? (current ?? "") : "",
    action: `/settings/profile/${channel.id}`,
    purposeNote:
      channel.id === "email"
        ? // One rule: reset links go to this address, verified or not, and using one verifies it (password/service.ts).
          verified
          ? "contact:purpose.emailVerified"
          : "contact:purpose.emailUnverified"
        : "contact:purpose.phone",
  };
}
