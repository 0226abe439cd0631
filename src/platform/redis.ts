import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { HostPort, RedisTarget } from "../config.js";
import type { Logger } from "./logger.js";

export type RedisPurpose = "app" | "queue" | "worker";

// Every Redis client the app holds: one server (or a Sentinel-managed master,
// which ioredis presents as one server) or a Redis Cluster. Both speak the
// same commands; what differs is that in a cluster a MULTI, a Lua script or a
// multi-key command must name keys of one hash slot (tagKey below), and SCAN
// and KEYS see one node at a time (scanKeys, deleteKeys).
export type RedisClient = Redis | Cluster;

// One factory for every Redis connection (sessions, rate limits, BullMQ).
// The app connection fails fast while Redis is away so requests get a 503
// instead of hanging; BullMQ workers need blocking commands without a retry cap.
// Each connection names itself (CLIENT SETNAME latchkey-<purpose>), so
// `CLIENT LIST` and the fault-test proxy can tell them apart. `target` is
// config.redis; a URL string still means one server.
export function createRedisConnection(target: RedisTarget | string, purpose: RedisPurpose, logger?: Logger): RedisClient {
  const where: RedisTarget = typeof target === "string" ? { kind: "single", url: target } : target;
  const failFast: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const perPurpose: RedisOptions = {
    connectionName: `latchkey-${purpose}`,
    ...(purpose === "worker" ? { maxRetriesPerRequest: null } : failFast),
    ...(purpose === "queue" ? { enableOfflineQueue: true } : {}),
  };
  const retry = (attempt: number) => Math.min(attempt * 200, 2000);
  let redis: RedisClient;
  if (where.kind === "cluster") {
    const { enableOfflineQueue, ...nodeOptions } = perPurpose;
    const options: ClusterOptions = {
      lazyConnect: true,
      // Like one server: the app connection refuses commands while the
      // cluster is not ready (503), the queue and worker ones wait.
      enableOfflineQueue: enableOfflineQueue ?? true,
      clusterRetryStrategy: retry,
      redisOptions: { ...nodeOptions, ...credentialsOf(where) },
    };
    redis = new Cluster(where.nodes.map(hostPort), options);
  } else {
    const options: RedisOptions = { lazyConnect: true, retryStrategy: retry, ...perPurpose };
    if (where.kind === "sentinel") {
      redis = new Redis({
        ...options,
        sentinels: where.sentinels.map(hostPort),
        name: where.name,
        ...(where.sentinelPassword ? { sentinelPassword: where.sentinelPassword } : {}),
        ...credentialsOf(where),
        ...(where.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        sentinelRetryStrategy: retry,
        // After a failover: reconnect as soon as the sentinels announce the
        // new master, and should a command still reach the demoted one
        // (READONLY), reconnect through the sentinels and send it again.
        failoverDetector: true,
        reconnectOnError: (error) => (/^READONLY/.test(error.message) ? 2 : false),
      });
    } else {
      redis = new Redis(where.url, options);
    }
  }
  // Errors surface on commands; the listener keeps ioredis from printing each
  // one, and the outage itself is logged once per transition.
  const outage = logger ? redisOutageLog(logger) : undefined;
  redis.on("error", (error: Error) => outage?.down(purpose, error));
  redis.on("ready", () => outage?.up(purpose));
  if (redis instanceof Cluster) {
    // A cluster reports its nodes' connection errors apart; they are an
    // outage once the cluster client itself is no longer ready (it logs
    // "back" when it is ready again).
    const cluster = redis;
    cluster.on("node error", (error: Error) => {
      if (cluster.status !== "ready") outage?.down(purpose, error);
    });
  }
  return redis;
}

function hostPort(node: HostPort): { host: string; port: number } {
  return { host: node.host, port: node.port };
}

function credentialsOf(target: { username?: string; password?: string; tls: boolean }): RedisOptions {
  return {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
}

// Where Redis is, for messages: never a password.
export function describeRedisTarget(target: RedisTarget | string): string {
  if (typeof target === "string") return target.replace(/\/\/[^@]*@/, "//***@");
  if (target.kind === "single") return describeRedisTarget(target.url);
  const list = (nodes: readonly HostPort[]) => nodes.map((node) => (node.host.includes(":") ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`)).join(",");
  if (target.kind === "cluster") return `the Redis Cluster at ${list(target.nodes)}`;
  return `the master "${target.name}" of the sentinels at ${list(target.sentinels)}`;
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

// A key part in braces is the key's hash tag: in a Redis Cluster only that
// part picks the slot, so keys sharing a tag may meet in one MULTI, Lua script
// or multi-key command. Harmless on one server. REDIS_PREFIX cannot contain
// braces, so the tag is always the first one in the key.
export function tagKey(value: string): string {
  return `{${value}}`;
}

// Every key matching `pattern` (SCAN, never KEYS): in a cluster, on every master.
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes: Redis[] = isCluster(redis) ? redis.nodes("master") : [redis];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== "0");
  }
  return [...found];
}

// Deletes keys that may live in different slots: one DEL on one server, one
// per key in a cluster (a multi-key DEL across slots is refused there).
export async function deleteKeys(redis: RedisClient, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(redis)) return redis.del(...keys);
  const counts = await Promise.all(keys.map((key) => redis.del(key)));
  return counts.reduce((sum, n) => sum + n, 0);
}

// GETs of keys that may live in different slots (MGET needs one slot in a cluster).
export async function getMany(redis: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (!isCluster(redis)) return redis.mget(...keys);
  return Promise.all(keys.map((key) => redis.get(key)));
}

// One line when Redis becomes unreachable ("redis unavailable") and one when
// every connection that lost it is back ("redis back after 1.3 s"), however
// many connections, reconnect attempts and requests happen in between.
// Shared by the connections logging to the same logger (one per process).
export interface RedisOutageLog {
  down(connection: string, error: Error): void;
  up(connection: string): void;
}

const outageLogs = new WeakMap<Logger, RedisOutageLog>();

export function redisOutageLog(logger: Logger): RedisOutageLog {
  let log = outageLogs.get(logger);
  if (!log) {
    log = createOutageLog(logger, "redis");
    outageLogs.set(logger, log);
  }
  return log;
}

export function createOutageLog(logger: Logger, dependency: string): RedisOutageLog {
  const lost = new Set<string>();
  let since = 0;
  return {
    down(connection, error) {
      if (lost.has(connection)) return;
      if (lost.size === 0) {
        since = Date.now();
        logger.warn({ dependency, connection, err: error.message }, `${dependency} unavailable`);
      }
      lost.add(connection);
    },
    up(connection) {
      if (!lost.delete(connection) || lost.size > 0) return;
      const seconds = Math.round((Date.now() - since) / 100) / 10;
      logger.info({ dependency, downSeconds: seconds }, `${dependency} back after ${seconds} s`);
    },
  };
}

export async function connectRedisOrExplain(redis: RedisClient, target: RedisTarget | string): Promise<void> {
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const single = typeof target === "string" || target.kind === "single";
    throw new Error(
      `Cannot reach Redis at ${describeRedisTarget(target)} (${(error as Error).message}).\n` +
        (single
          ? `Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379\nor point REDIS_URL at a running server.`
          : `Check REDIS_CLUSTER_NODES / REDIS_SENTINELS, REDIS_SENTINEL_NAME and the credentials.`),
    );
  }
}
