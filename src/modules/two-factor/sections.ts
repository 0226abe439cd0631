import { defineSection } from "../../web/sections.js";
import { presentTwoFactor } from "./presenter.js";
import { countUnusedBackupCodes } from "./repo.js";
import { pendingLoginVerification, signedInWithBackupCode } from "./slots.js";
import { presentPendingSwitch } from "./verification-switch.js";
import { whoCanHelp } from "./who-can-help.js";

export const twoFactorSection = defineSection({
  id: "two-factor",
  page: "security",
  order: 10,
  view: "two-factor/_section",
  async load({ deps, req, user }) {
    const left = await countUnusedBackupCodes(deps.db, user.id);
    const pendingSwitch = presentPendingSwitch(pendingLoginVerification.get(req), user, deps.clock.now().getTime());
    const twoFactor = presentTwoFactor(user, left, Boolean(signedInWithBackupCode.get(req)));
    // Who can reset it, named only while it is on (there is something to lose).
    const help = twoFactor.enabled ? await whoCanHelp(deps.db, user.id) : null;
    return { twoFactor: { ...twoFactor, pendingSwitch, help } };
  },
});
