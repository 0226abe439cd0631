import { describe, expect, it } from "vitest";
import { ssoPolicy } from "../../src/modules/sso/policy.js";
import { freeUsername, usernameBase } from "../../src/modules/sso/service.js";

describe("ssoPolicy", () => {
  it("lets owners and administrators manage SSO, not members", () => {
    expect(ssoPolicy.canManage("owner")).toBe(true);
    expect(ssoPolicy.canManage("admin")).toBe(true);
    expect(ssoPolicy.canManage("member")).toBe(false);
  });

  it("admits exactly the allowed email domains, case-insensitively", () => {
    const allowed = ["corp.example"];
    expect(ssoPolicy.emailDomainAllowed("a@corp.example", allowed)).toBe(true);
    expect(ssoPolicy.emailDomainAllowed("a@CORP.Example", allowed)).toBe(true);
    expect(ssoPolicy.emailDomainAllowed("a@evilcorp.example", allowed)).toBe(false);
    expect(ssoPolicy.emailDomainAllowed("a@sub.corp.example", allowed)).toBe(false);
    expect(ssoPolicy.emailDomainAllowed("a@corp.example.evil.test", allowed)).toBe(false);
    expect(ssoPolicy.emailDomainAllowed("corp.example", allowed)).toBe(false);
    expect(ssoPolicy.emailDomainAllowed("a@corp.example", [])).toBe(false);
  });

  it("counts the provider's multi-factor only when trusted and claimed", () => {
    expect(ssoPolicy.providerMfaCounts(false, { amr: ["mfa"] })).toBe(false);
    expect(ssoPolicy.providerMfaCounts(true, { amr: ["mfa"] })).toBe(true);
    expect(ssoPolicy.providerMfaCounts(true, { amr: ["pwd", "otp"] })).toBe(true);
    expect(ssoPolicy.providerMfaCounts(true, { amr: ["pwd"] })).toBe(false);
    expect(ssoPolicy.providerMfaCounts(true, { amr: "mfa" })).toBe(false);
    expect(ssoPolicy.providerMfaCounts(true, {})).toBe(false);
    expect(ssoPolicy.providerMfaCounts(true, { acr: "urn:example:mfa" })).toBe(true);
    expect(ssoPolicy.providerMfaCounts(true, { acr: "http://idmanagement.gov/ns/assurance/aal/2" })).toBe(false);
    expect(ssoPolicy.providerMfaCounts(true, { acr: "urn:example:aal2" })).toBe(true);
    expect(ssoPolicy.providerMfaCounts(true, { acr: "0" })).toBe(false);
  });

  it("uses the provider's email only when it is an address not marked unverified", () => {
    expect(ssoPolicy.emailUsable({ email: "a@corp.example", email_verified: true })).toBe(true);
    expect(ssoPolicy.emailUsable({ email: "a@corp.example" })).toBe(true);
    expect(ssoPolicy.emailUsable({ email: "a@corp.example", email_verified: false })).toBe(false);
    expect(ssoPolicy.emailUsable({ email: "nope" })).toBe(false);
    expect(ssoPolicy.emailUsable({})).toBe(false);
  });

  it("exempts only the owner from 'SSO required' (break-glass)", () => {
    expect(ssoPolicy.exemptFromRequirement("owner")).toBe(true);
    expect(ssoPolicy.exemptFromRequirement("admin")).toBe(false);
    expect(ssoPolicy.exemptFromRequirement("member")).toBe(false);
  });
});

describe("SSO usernames", () => {
  it("derive from preferred_username or the email, in the username alphabet", () => {
    expect(usernameBase({ preferred_username: "jane.doe" }, "x@corp.example")).toBe("jane-doe");
    expect(usernameBase({}, "Zoë.Ünal+tag@corp.example")).toBe("Zoe-Unal-tag");
    expect(usernameBase({}, "ab@corp.example")).toBe("user-ab");
    expect(usernameBase({}, "a".repeat(60) + "@corp.example")).toHaveLength(26);
    expect(usernameBase({}, "a".repeat(60) + "@corp.example")).toMatch(/^[A-Za-z0-9_-]{3,32}$/);
  });

  it("never collide (case-insensitively) with a taken name", () => {
    expect(freeUsername("jane", new Set())).toBe("jane");
    expect(freeUsername("Jane", new Set(["jane"]))).toBe("Jane-2");
    expect(freeUsername("jane", new Set(["jane", "jane-2", "jane-3"]))).toBe("jane-4");
  });
});
