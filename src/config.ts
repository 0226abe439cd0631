import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

// The only module that reads the environment. Parsed once, frozen, and any bad
// value stops start-up with a message naming the variable (Ghost-style config).

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((value) => ["true", "1", "yes", "on"].includes(value));

// "host:port,host:port" (IPv6 hosts in brackets: "[::1]:7000").
const hostPortList = z
  .string()
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean))
  .pipe(
    z
      .array(z.string())
      .min(1, "must name at least one host:port")
      .refine((items) => items.every((item) => /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}$/.test(item)), "must be a comma-separated list of host:port"),
  )
  .transform((items) =>
    items.map((item) => {
      const at = item.lastIndexOf(":");
      return { host: item.slice(0, at).replace(/^\[(.*)\]$/, "$1"), port: Number(item.slice(at + 1)) };
    }),
  )
  .refine((nodes) => nodes.every((node) => node.port >= 1 && node.port <= 65535), "ports must be 1-65535");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/).default("latchkey:"),
  // A Redis Cluster or a Sentinel-managed Redis instead of REDIS_URL (see redisTarget below).
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[\w.-]+$/, "must be the name of the master the sentinels monitor").optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS: booleanFromEnv.default(false),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default("Latchkey <no-reply@latchkey.localhost>"),
  SMS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  USER_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform((value) => (["false", "0", "off", "no", ""].includes(value) ? false : /^\d+$/.test(value) ? Number(value) : value)),
  IN_PROCESS_WORKER: booleanFromEnv.default(true),
  FRESH_AUTH_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  JOB_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(15),
  BUSINESS_TIME_ZONE: z
    .string()
    .default("UTC")
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as Europe/Berlin"),
  BUSINESS_HOLIDAYS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((day) => day.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a comma-separated list of YYYY-MM-DD dates"))),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  // A GeoLite-style MaxMind .mmdb file: notices and activity name the approximate place of an IP.
  GEOIP_DATABASE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Prometheus metrics (platform/metrics.ts): /metrics on the app port for this
  // bearer token, and/or a separate listener on METRICS_PORT (METRICS_HOST,
  // loopback unless set). Neither set: no metrics are served.
  METRICS_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  // Sign-in providers (modules/identities): GitHub's and Discord's addresses
  // (tests point them at loopback stand-ins) and how long a provider may take.
  GITHUB_URL: z.url({ protocol: /^https?$/ }).default("https://github.com"),
  GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default("https://api.github.com"),
  DISCORD_URL: z.url({ protocol: /^https?$/ }).default("https://discord.com"),
  PROVIDER_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
});

export type Config = Readonly<{
  env: "development" | "production" | "test";
  port: number;
  baseUrl: string;
  secureCookies: boolean;
  databaseUrl: string | undefined;
  dataDir: string;
  // The single Redis of REDIS_URL (also set, to its default, in cluster and
  // sentinel mode, where nothing should use it: connect through `redis`).
  redisUrl: string;
  redis: RedisTarget;
  redisPrefix: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  smsWebhookUrl: string | undefined;
  secretKey: string;
  // Where the generated key is kept when SECRET_KEY is not set (the start-up message names it).
  secretKeyFile?: string;
  webConcurrency: number;
  // How long a process may keep the signed-in user between requests at most
  // (web/principal-cache.ts); 0 loads them from PostgreSQL on every request.
  userCacheSeconds: number;
  trustProxy: boolean | number | string;
  inProcessWorker: boolean;
  freshAuthMinutes: number;
  jobLockSeconds: number;
  logLevel: string;
  metrics: Readonly<{ token: string | undefined; port: number | undefined; host: string }>;
  shutdownTimeoutSeconds: number;
  // Business days (cancelled accounts' tickets close within 7 of them).
  businessTimeZone: string;
  businessHolidays: readonly string[];
  // Security events older than this many days are deleted by a daily job.
  auditRetentionDays: number;
  geoipDatabase: string | undefined;
  // Sign-in providers: GitHub, GitHub's API and Discord base URLs (no
  // trailing slash), and each provider request's time limit.
  providers: Readonly<{ githubUrl: string; githubApiUrl: string; discordUrl: string; timeoutMs: number }>;
}>;

export interface HostPort {
  host: string;
  port: number;
}

// Where Redis is: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES:
// any few masters or replicas; the rest is discovered), or a master found
// through Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME).
// Credentials and TLS of cluster and sentinel nodes come from REDIS_USERNAME,
// REDIS_PASSWORD and REDIS_TLS; a single server carries them in its URL.
export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: readonly HostPort[]; username?: string; password?: string; tls: boolean }
  | { kind: "sentinel"; sentinels: readonly HostPort[]; name: string; sentinelPassword?: string; username?: string; password?: string; tls: boolean };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data;
  const redis = redisTarget(values, env);
  const dataDir = path.resolve(values.DATA_DIR);
  const baseUrl = (values.BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, "");
  return Object.freeze({
    env: values.NODE_ENV,
    port: values.PORT,
    baseUrl,
    secureCookies: baseUrl.startsWith("https://"),
    databaseUrl: values.DATABASE_URL,
    dataDir,
    redisUrl: values.REDIS_URL,
    redis,
    redisPrefix: values.REDIS_PREFIX,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    smsWebhookUrl: values.SMS_WEBHOOK_URL,
    secretKey: values.SECRET_KEY ?? generatedSecretKey(values.NODE_ENV, dataDir),
    ...(values.SECRET_KEY ? {} : { secretKeyFile: path.join(dataDir, "secret.key") }),
    webConcurrency: values.WEB_CONCURRENCY,
    userCacheSeconds: values.USER_CACHE_SECONDS,
    trustProxy: values.TRUST_PROXY,
    inProcessWorker: values.IN_PROCESS_WORKER,
    freshAuthMinutes: values.FRESH_AUTH_MINUTES,
    jobLockSeconds: values.JOB_LOCK_SECONDS,
    logLevel: values.LOG_LEVEL,
    metrics: Object.freeze({ token: values.METRICS_TOKEN, port: values.METRICS_PORT, host: values.METRICS_HOST }),
    shutdownTimeoutSeconds: values.SHUTDOWN_TIMEOUT_SECONDS,
    businessTimeZone: values.BUSINESS_TIME_ZONE,
    businessHolidays: Object.freeze([...values.BUSINESS_HOLIDAYS]),
    auditRetentionDays: values.AUDIT_RETENTION_DAYS,
    geoipDatabase: values.GEOIP_DATABASE,
    providers: Object.freeze({
      githubUrl: values.GITHUB_URL.replace(/\/$/, ""),
      githubApiUrl: values.GITHUB_API_URL.replace(/\/$/, ""),
      discordUrl: values.DISCORD_URL.replace(/\/$/, ""),
      timeoutMs: values.PROVIDER_TIMEOUT_SECONDS * 1000,
    }),
  });
}

// One way to reach Redis, named clearly when the variables say two or half of one.
function redisTarget(values: z.infer<typeof envSchema>, env: Record<string, string | undefined>): RedisTarget {
  const fail = (variable: string, message: string) => {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: ${message}`);
  };
  const cluster = values.REDIS_CLUSTER_NODES;
  const sentinels = values.REDIS_SENTINELS;
  if (cluster && sentinels) fail("REDIS_CLUSTER_NODES", "set either REDIS_CLUSTER_NODES (a Redis Cluster) or REDIS_SENTINELS (Redis Sentinel), not both");
  if (env.REDIS_URL !== undefined && (cluster || sentinels)) {
    fail("REDIS_URL", `leave it unset with ${cluster ? "REDIS_CLUSTER_NODES" : "REDIS_SENTINELS"} (credentials go in REDIS_USERNAME/REDIS_PASSWORD, TLS in REDIS_TLS)`);
  }
  if (sentinels && !values.REDIS_SENTINEL_NAME) fail("REDIS_SENTINEL_NAME", "required with REDIS_SENTINELS: the name of the master the sentinels monitor");
  if (!sentinels && values.REDIS_SENTINEL_NAME) fail("REDIS_SENTINEL_NAME", "only means something with REDIS_SENTINELS");
  if (!sentinels && values.REDIS_SENTINEL_PASSWORD) fail("REDIS_SENTINEL_PASSWORD", "only means something with REDIS_SENTINELS");
  const credentials = { ...(values.REDIS_USERNAME ? { username: values.REDIS_USERNAME } : {}), ...(values.REDIS_PASSWORD ? { password: values.REDIS_PASSWORD } : {}) };
  if (cluster) return Object.freeze({ kind: "cluster", nodes: Object.freeze(cluster), ...credentials, tls: values.REDIS_TLS });
  if (sentinels) {
    return Object.freeze({
      kind: "sentinel",
      sentinels: Object.freeze(sentinels),
      name: values.REDIS_SENTINEL_NAME!,
      ...(values.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: values.REDIS_SENTINEL_PASSWORD } : {}),
      ...credentials,
      tls: values.REDIS_TLS,
    });
  }
  for (const variable of ["REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS"] as const) {
    if (env[variable] !== undefined) fail(variable, "only used with REDIS_CLUSTER_NODES or REDIS_SENTINELS; for one server put it in REDIS_URL (rediss://user:password@host:port)");
  }
  return Object.freeze({ kind: "single", url: values.REDIS_URL });
}

// Outside production a missing SECRET_KEY is generated once and kept under
// DATA_DIR so restarts keep sessions and encrypted secrets readable.
function generatedSecretKey(nodeEnv: string, dataDir: string): string {
  if (nodeEnv === "production") {
    throw new ConfigError("Invalid configuration:\n  SECRET_KEY: required in production (at least 32 characters)");
  }
  const keyFile = path.join(dataDir, "secret.key");
  if (existsSync(keyFile)) return readFileSync(keyFile, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString("base64url");
  writeFileSync(keyFile, key, { mode: 0o600, flag: "wx" });
  return key;
}
