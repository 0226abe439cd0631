import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const base = { SECRET_KEY: "x".repeat(40), DATA_DIR: "/tmp/latchkey-config-test" };

describe("configuration", () => {
  it("has working defaults and is frozen", () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe("http://localhost:3000");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.trustProxy).toBe(false);
    expect(config.webConcurrency).toBe(1);
    expect(config.userCacheSeconds).toBe(60);
    expect(config.secureCookies).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ["PORT", "not-a-port"],
    ["BASE_URL", "ftp://example.com"],
    ["DATABASE_URL", "mysql://localhost/x"],
    ["REDIS_URL", "localhost:6379"],
    ["WEB_CONCURRENCY", "0"],
    ["USER_CACHE_SECONDS", "-1"],
    ["USER_CACHE_SECONDS", "3601"],
    ["SECRET_KEY", "short"],
  ])("stops with a message naming %s when it is %s", (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it("requires SECRET_KEY in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: base.DATA_DIR })).toThrow(/SECRET_KEY: required in production/);
  });

  it("generates a secret key once outside production and keeps it", () => {
    const dir = `/tmp/latchkey-config-${Date.now()}`;
    const first = loadConfig({ DATA_DIR: dir }).secretKey;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).secretKey).toBe(first);
  });

  it("uses secure cookies and parses TRUST_PROXY", () => {
    const config = loadConfig({ ...base, BASE_URL: "https://id.example.com/", TRUST_PROXY: "1" });
    expect(config.secureCookies).toBe(true);
    expect(config.baseUrl).toBe("https://id.example.com");
    expect(config.trustProxy).toBe(1);
  });
});
