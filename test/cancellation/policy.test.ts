import { describe, expect, it } from "vitest";
import { cancellationPolicy } from "../../src/modules/cancellation/policy.js";

const local = { passwordHash: "h", status: "active", phone: null, phoneVerifiedAt: null };

describe("cancellation policy", () => {
  it("only active accounts with a password here (not SSO) may cancel", () => {
    expect(cancellationPolicy.mayCancel(local)).toBe(true);
    expect(cancellationPolicy.mayCancel({ ...local, passwordHash: null })).toBe(false);
    // A workspace SSO account never cancels itself, even if it somehow had a password.
    expect(cancellationPolicy.mayCancel({ ...local, ssoWorkspaceId: "4f7c2a1e-0000-4000-8000-000000000000" })).toBe(false);
    expect(cancellationPolicy.mayCancel({ ...local, status: "cancelled" })).toBe(false);
  });
  it("offers the methods the account has: password, email, and SMS only with a verified phone", () => {
    expect(cancellationPolicy.verifyMethods(local)).toEqual(["password", "email"]);
    expect(cancellationPolicy.verifyMethods({ ...local, phone: "+15550000000", phoneVerifiedAt: null })).toEqual(["password", "email"]);
    expect(cancellationPolicy.verifyMethods({ ...local, phone: "+15550000000", phoneVerifiedAt: new Date() })).toEqual(["password", "email", "sms"]);
  });
  it("a verification counts for 15 minutes", () => {
    expect(cancellationPolicy.verificationValid(undefined, 1_000, 15)).toBe(false);
    expect(cancellationPolicy.verificationValid(0, 15 * 60_000 - 1, 15)).toBe(true);
    expect(cancellationPolicy.verificationValid(0, 15 * 60_000, 15)).toBe(false);
  });
});
