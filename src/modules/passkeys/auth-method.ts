import { AppError } from "../../platform/errors.js";
import type { AuthMethod, Factor } from "../../web/sign-in/auth-method.js";
import { isTwoFactorEnabled } from "../two-factor/index.js";
import { relyingParty } from "./ceremony.js";
import { countPasskeys } from "./repo.js";
import { verifyAssertion } from "./service.js";

// A passkey is all three kinds of proof: passwordless sign-in (it counts as
// two factors: something you have, unlocked by something you are or know),
// a second factor after a password, and a step-up.
function passkeyFactor(purpose: "second-factor" | "reauth"): Factor {
  return {
    kind: "possession",
    fields: [{ name: "credential", label: "passkeys:method.label", type: "webauthn", autocomplete: "off", optionsUrl: `/passkeys/options/${purpose}` }],
    prompt: (_user, t) => t("passkeys:method.prompt"),
    // As a second factor it stands in for the authenticator, so it is asked
    // only of accounts with two-factor authentication on.
    availableFor: async (deps, user) => (purpose === "reauth" || isTwoFactorEnabled(user)) && (await countPasskeys(deps.db, user.id)) > 0,
    async verify({ deps, meta, sessionId }, user, input) {
      const proven = await verifyAssertion(deps, purpose, sessionId, input.credential ?? "", meta);
      // A passkey of another account proves nothing about this one.
      if (proven.id !== user.id) throw new AppError(422, "PASSKEY_NOT_VERIFIED", { field: "credential", message: "passkeys:errors.notVerified" });
      return {};
    },
  };
}

export const passkeyMethod: AuthMethod = {
  id: "passkey",
  label: "passkeys:method.label",
  firstFactor: { satisfiesSecondFactor: true, fields: [], signInView: "passkeys/_sign-in", offered: (deps) => relyingParty(deps.config).trusted },
  secondFactor: passkeyFactor("second-factor"),
  reauth: passkeyFactor("reauth"),
};
