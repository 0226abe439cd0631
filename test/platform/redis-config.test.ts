import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { describeRedisTarget } from "../../src/platform/redis.js";

// How REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS map to config.redis,
// and the messages when they say two things or half of one.
const base = { SECRET_KEY: "x".repeat(40), DATA_DIR: "/tmp/latchkey-config-test" };

describe("where Redis is", () => {
  it("is one server by default, or REDIS_URL", () => {
    expect(loadConfig(base).redis).toEqual({ kind: "single", url: "redis://127.0.0.1:6379" });
    expect(loadConfig({ ...base, REDIS_URL: "rediss://u:p@cache.internal:6380" }).redis).toEqual({ kind: "single", url: "rediss://u:p@cache.internal:6380" });
  });

  it("maps REDIS_CLUSTER_NODES (IPv6 in brackets) with credentials and TLS", () => {
    const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: " 10.0.0.1:7000, redis-b.internal:7001,[::1]:7002 ", REDIS_PASSWORD: "s3cret", REDIS_USERNAME: "app", REDIS_TLS: "true" });
    expect(config.redis).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "redis-b.internal", port: 7001 },
        { host: "::1", port: 7002 },
      ],
      username: "app",
      password: "s3cret",
      tls: true,
    });
    expect(Object.isFrozen(config.redis)).toBe(true);
    expect(describeRedisTarget(config.redis)).toBe("the Redis Cluster at 10.0.0.1:7000,redis-b.internal:7001,[::1]:7002");
    expect(describeRedisTarget(config.redis)).not.toContain("s3cret");
  });

  it("maps REDIS_SENTINELS with REDIS_SENTINEL_NAME and the sentinels' own password", () => {
    const config = loadConfig({ ...base, REDIS_SENTINELS: "10.0.0.5:26379,10.0.0.6:26379", REDIS_SENTINEL_NAME: "latchkey", REDIS_SENTINEL_PASSWORD: "watch", REDIS_PASSWORD: "data" });
    expect(config.redis).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.5", port: 26379 },
        { host: "10.0.0.6", port: 26379 },
      ],
      name: "latchkey",
      sentinelPassword: "watch",
      password: "data",
      tls: false,
    });
    expect(describeRedisTarget(config.redis)).toBe('the master "latchkey" of the sentinels at 10.0.0.5:26379,10.0.0.6:26379');
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: "a:1", REDIS_SENTINELS: "b:2", REDIS_SENTINEL_NAME: "m" }, "REDIS_CLUSTER_NODES", /not both/],
    [{ REDIS_CLUSTER_NODES: "a:1", REDIS_URL: "redis://a:1" }, "REDIS_URL", /leave it unset with REDIS_CLUSTER_NODES/],
    [{ REDIS_SENTINELS: "a:1", REDIS_SENTINEL_NAME: "m", REDIS_URL: "redis://a:1" }, "REDIS_URL", /leave it unset with REDIS_SENTINELS/],
    [{ REDIS_SENTINELS: "a:1" }, "REDIS_SENTINEL_NAME", /required with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_NAME: "m" }, "REDIS_SENTINEL_NAME", /only means something with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_PASSWORD: "x" }, "REDIS_SENTINEL_PASSWORD", /only means something with REDIS_SENTINELS/],
    [{ REDIS_PASSWORD: "x" }, "REDIS_PASSWORD", /put it in REDIS_URL/],
    [{ REDIS_TLS: "true" }, "REDIS_TLS", /put it in REDIS_URL/],
    [{ REDIS_CLUSTER_NODES: "just-a-host" }, "REDIS_CLUSTER_NODES", /host:port/],
    [{ REDIS_CLUSTER_NODES: "a:70000" }, "REDIS_CLUSTER_NODES", /1-65535/],
    [{ REDIS_CLUSTER_NODES: " , " }, "REDIS_CLUSTER_NODES", /at least one/],
    [{ REDIS_SENTINELS: "a:1", REDIS_SENTINEL_NAME: "bad name" }, "REDIS_SENTINEL_NAME", /name of the master/],
  ])("stops with a message naming the variable: %o", (env, variable, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(new RegExp(`^Invalid configuration:\\n(.*\\n)*  ${variable}: `));
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
