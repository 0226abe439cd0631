import { describe, expect, it } from "vitest";
import { isAddressAllowed, normaliseAllowList } from "../../src/modules/tokens/ip-allow-list.js";
import { expiryProblem, tokenPolicy, tokenState } from "../../src/modules/tokens/policy.js";
import { generateTokenSecret, hashTokenSecret, looksLikeToken } from "../../src/modules/tokens/secret.js";

describe("IP allow-list", () => {
  it("normalises IPv4, IPv6 and CIDR entries and drops duplicates", () => {
    expect(normaliseAllowList([" 203.0.113.7 ", "10.1.2.3/8", "2001:DB8:0::1", "2001:db8::1", "2001:db8:abcd::/32", "::ffff:192.0.2.1"])).toEqual({
      ok: true,
      entries: ["203.0.113.7", "10.0.0.0/8", "2001:db8::1", "2001:db8::/32", "192.0.2.1"],
    });
  });

  it.each(["300.1.1.1", "10.0.0.0/33", "2001:db8::/129", "127.1", "0x7f.0.0.1", "example.com", "10.0.0.0/", "1.2.3.4/8/9", "fe80::1%eth0", "10.0.0.0/-1"])("refuses %s", (entry) => {
    const result = normaliseAllowList([entry]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(entry);
  });

  it("matches addresses and ranges of the same family only", () => {
    const list = ["198.51.100.0/24", "2001:db8:1::/48", "203.0.113.9"];
    expect(isAddressAllowed(list, "198.51.100.200")).toBe(true);
    expect(isAddressAllowed(list, "198.51.101.1")).toBe(false);
    expect(isAddressAllowed(list, "203.0.113.9")).toBe(true);
    expect(isAddressAllowed(list, "203.0.113.10")).toBe(false);
    expect(isAddressAllowed(list, "2001:db8:1:ffff::1")).toBe(true);
    expect(isAddressAllowed(list, "2001:db8:2::1")).toBe(false);
    expect(isAddressAllowed(list, "::ffff:198.51.100.7")).toBe(true); // IPv4-mapped is the IPv4 address
    expect(isAddressAllowed([], "192.0.2.1")).toBe(true);
    expect(isAddressAllowed(list, "not-an-ip")).toBe(false);
  });
});

describe("expiry and state", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("must be in the future and at most 10 years away", () => {
    expect(expiryProblem(new Date("2025-12-31T23:59:59Z"), now)).toMatch(/future/);
    expect(expiryProblem(now, now)).toMatch(/future/);
    expect(expiryProblem(new Date("2036-01-01T00:00:00Z"), now)).toBeNull();
    expect(expiryProblem(new Date("2036-01-01T00:00:01Z"), now)).toMatch(/10 years/);
  });
  it("tells active, expired and deleted apart", () => {
    expect(tokenState({ expiresAt: new Date("2026-01-02"), deletedAt: null }, now)).toBe("active");
    expect(tokenState({ expiresAt: now, deletedAt: null }, now)).toBe("expired");
    expect(tokenState({ expiresAt: new Date("2026-01-02"), deletedAt: now }, now)).toBe("deleted");
  });
});

describe("token policy", () => {
  it("lets owners and instance administrators manage tokens", () => {
    expect(tokenPolicy.canManageTokensOf({ id: "a", isInstanceAdmin: false }, "a")).toBe(true);
    expect(tokenPolicy.canManageTokensOf({ id: "a", isInstanceAdmin: false }, "b")).toBe(false);
    expect(tokenPolicy.canManageTokensOf({ id: "a", isInstanceAdmin: true }, "b")).toBe(true);
  });
  it("a token grants at most its own scopes; a person any", () => {
    expect(tokenPolicy.ungrantableScopes(["account:read", "audit:read"], ["tokens:manage", "account:read"])).toEqual(["audit:read"]);
    expect(tokenPolicy.ungrantableScopes(["workspace:admin"], null)).toEqual([]);
  });
});

describe("secrets", () => {
  it("are lk_ plus 256 random bits, stored as SHA-256", () => {
    const secret = generateTokenSecret();
    expect(looksLikeToken(secret)).toBe(true);
    expect(Buffer.from(secret.slice(3), "base64url")).toHaveLength(32);
    expect(generateTokenSecret()).not.toBe(secret);
    expect(hashTokenSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
  });
});
