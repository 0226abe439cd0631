import type { AuthMethod } from "../../web/sign-in/auth-method.js";

// Signing in with a bound GitHub, Discord or OIDC identity: a first factor
// only. Its own routes run the flow and then call afterFirstFactor, so the
// account's second step is asked as after a password: whatever the provider
// says about how the person signed in there (amr/acr) never stands in for
// this account's two-factor authentication.
export const linkedAccountMethod: AuthMethod = {
  id: "linked-account",
  label: "Linked account",
  firstFactor: { satisfiesSecondFactor: false, fields: [], signInView: "identities/_sign-in" },
};
