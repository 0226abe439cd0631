import type { AuthMethod } from "../../web/sign-in/auth-method.js";

// A workspace's single sign-on as a first factor. It verifies in its own
// routes (the provider's callback) and then calls afterFirstFactor, like a
// passkey. The account's own second factor still applies, unless the
// workspace trusts its provider's multi-factor claim (amr/acr) and the
// provider made it: then the sign-in counts as two factors ("sso-mfa").
export const ssoMethod: AuthMethod = {
  id: "sso",
  label: "sso:method.label",
  firstFactor: { satisfiesSecondFactor: false, fields: [], signInView: "sso/_sign-in" },
};

export const ssoProviderMfaMethod: AuthMethod = {
  id: "sso-mfa",
  label: "sso:method.mfaLabel",
  firstFactor: { satisfiesSecondFactor: true, fields: [] },
};

export const ssoMethods = [ssoMethod, ssoProviderMfaMethod];
