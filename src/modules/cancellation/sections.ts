import { defineSection } from "../../web/sections.js";
import { cancellationPolicy } from "./policy.js";

// The entry to the wizard, last on the security page; SSO accounts (no
// password here) get nothing at all.
export const cancelAccountSection = defineSection({
  id: "cancel-account",
  page: "security",
  order: 1000,
  view: "cancellation/_entry-section",
  load({ user }) {
    return { available: cancellationPolicy.mayCancel(user) };
  },
});
