import { describe, expect, it } from "vitest";
import { identityPolicy } from "../../src/modules/identities/policy.js";

describe("identityPolicy.canUnbind", () => {
  const cases: Array<[string, { hasPassword: boolean; passkeyCount: number; otherSignInIdentities: number; singleSignOn?: boolean }, boolean]> = [
    ["a password remains", { hasPassword: true, passkeyCount: 0, otherSignInIdentities: 0 }, true],
    ["a passkey remains", { hasPassword: false, passkeyCount: 1, otherSignInIdentities: 0 }, true],
    ["another identity open for sign-in remains", { hasPassword: false, passkeyCount: 0, otherSignInIdentities: 1 }, true],
    ["the workspace's single sign-on remains", { hasPassword: false, passkeyCount: 0, otherSignInIdentities: 0, singleSignOn: true }, true],
    ["nothing else remains", { hasPassword: false, passkeyCount: 0, otherSignInIdentities: 0 }, false],
  ];
  it.each(cases)("%s", (_name, facts, allowed) => {
    const decision = identityPolicy.canUnbind(facts, "GitHub");
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.code).toBe("LAST_SIGN_IN_METHOD");
  });
});

describe("identityPolicy.canBind", () => {
  const base = { linkingEnabled: true, ownerId: null as string | null, userId: "me", boundHereAlready: false };
  it.each([
    ["a free identity", base, null],
    ["linking turned off", { ...base, linkingEnabled: false }, "LINKING_DISABLED"],
    ["an identity of another account", { ...base, ownerId: "someone-else" }, "IDENTITY_BOUND_ELSEWHERE"],
    ["a second identity at the same provider", { ...base, boundHereAlready: true }, "PROVIDER_ALREADY_BOUND"],
    ["the identity already bound here", { ...base, ownerId: "me", boundHereAlready: true }, null],
  ] as const)("%s", (_name, facts, code) => {
    const decision = identityPolicy.canBind(facts, "Discord");
    expect(decision.allowed ? null : decision.code).toBe(code);
  });
});

describe("identityPolicy.canCreateAccount", () => {
  const base = { signInEnabled: true, registrationOpen: true, email: "new@example.test", emailVerified: true, emailTaken: false };
  it.each([
    ["a new verified email", base, null],
    ["sign-in turned off", { ...base, signInEnabled: false }, "SIGN_IN_DISABLED"],
    ["no email", { ...base, email: null }, "EMAIL_NOT_VERIFIED"],
    ["an unverified email (even one in use: nothing is revealed)", { ...base, emailVerified: false, emailTaken: true }, "EMAIL_NOT_VERIFIED"],
    ["an email a local account uses: never merged", { ...base, emailTaken: true }, "EMAIL_IN_USE"],
    ["registration closed", { ...base, registrationOpen: false }, "REGISTRATION_CLOSED"],
  ] as const)("%s", (_name, facts, code) => {
    const decision = identityPolicy.canCreateAccount(facts, "Acme");
    expect(decision.allowed ? null : decision.code).toBe(code);
  });
});
