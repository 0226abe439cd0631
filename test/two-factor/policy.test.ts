import { describe, expect, it } from "vitest";
import { backupCodesWarning, loginVerificationPolicy } from "../../src/modules/two-factor/policy.js";

const at = new Date("2026-01-01T00:00:00Z");
const account = (changes: Record<string, unknown> = {}) => ({
  totpEnabledAt: null,
  totpSecretEncrypted: null,
  emailVerifiedAt: null,
  phone: null,
  phoneVerifiedAt: null,
  ...changes,
});

describe("loginVerificationPolicy.whyUnavailable", () => {
  const withTotp = account({ totpEnabledAt: at, totpSecretEncrypted: "sealed" });
  const verified = account({ emailVerifiedAt: at, phone: "+447911123456", phoneVerifiedAt: at });

  it("forces the authenticator once TOTP is on", () => {
    expect(loginVerificationPolicy.whyUnavailable(withTotp, "totp")).toBeNull();
    for (const method of ["none", "email", "sms"] as const) expect(loginVerificationPolicy.whyUnavailable(withTotp, method)).toBe("two-factor:unavailable.turnOffFirst");
  });

  it("offers email and SMS codes only for verified contacts", () => {
    expect(loginVerificationPolicy.whyUnavailable(account(), "email")).toBe("two-factor:unavailable.verifyEmail");
    expect(loginVerificationPolicy.whyUnavailable(account({ phone: "+447911123456" }), "sms")).toBe("two-factor:unavailable.verifyPhone");
    expect(loginVerificationPolicy.whyUnavailable(verified, "email")).toBeNull();
    expect(loginVerificationPolicy.whyUnavailable(verified, "sms")).toBeNull();
    expect(loginVerificationPolicy.whyUnavailable(verified, "none")).toBeNull();
    expect(loginVerificationPolicy.whyUnavailable(verified, "totp")).toBe("two-factor:unavailable.turnOnFirst");
  });
});

describe("backupCodesWarning", () => {
  it.each([
    [null, null],
    [10, null],
    [4, null],
    [3, { key: "two-factor:warning.low", vars: { count: 3 } }],
    [1, { key: "two-factor:warning.low", vars: { count: 1 } }],
    [0, { key: "two-factor:warning.none", vars: { count: 0 } }],
  ])("%s left: %s", (left, warning) => {
    expect(backupCodesWarning(left)).toEqual(warning);
  });
});
