import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { withinTime } from "./timeout.js";
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

// Prometheus metrics (prom-client), one registry per Deps (tests build many).
// Labels are fixed vocabularies only: a route *pattern* ("/w/:slug/members"),
// an outcome or reason code, a method id, a queue name. Never a raw path, an
// id, a username, an address or anything a user typed: label values are
// readable by whoever scrapes, and each distinct value is a new series.
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  signIns: Counter<"outcome">;
  secondFactorFailures: Counter<"method">;
  rateLimitHits: Counter<"route">;
  jobDuration: Histogram<"queue" | "outcome">;
  jobLatency: Histogram<"queue">;
  userCache: Counter<"outcome">;
}

// What the scrape-time gauges read; every probe has a timeout so a scrape
// never hangs on a dead dependency.
export interface MetricsProbes {
  database(): Promise<unknown>;
  redis(): Promise<unknown>;
  // Waiting, delayed, active and failed jobs per queue.
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  // Outbox rows written but not yet relayed into a queue.
  outboxPending(): Promise<number>;
  // Change marks committed but not yet published to Redis (change-marks.ts).
  changeMarksPending(): Promise<number>;
}

const PROBE_TIMEOUT_MS = 2000;

export function createMetrics(probes?: MetricsProbes): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "latchkey_" });
  const metrics: Metrics = {
    registry,
    httpDuration: new Histogram({
      name: "latchkey_http_request_duration_seconds",
      help: "HTTP requests by route pattern (never the raw URL), method and status class",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    signIns: new Counter({
      name: "latchkey_sign_ins_total",
      help: "First-factor sign-in attempts by outcome: success (signed in), second_step (password right, second factor asked), or the failure reason",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    secondFactorFailures: new Counter({
      name: "latchkey_second_factor_failures_total",
      help: "Wrong answers to the second sign-in step, by method (totp, backup-code, email-code, sms-code, passkey)",
      labelNames: ["method"],
      registers: [registry],
    }),
    rateLimitHits: new Counter({
      name: "latchkey_rate_limit_hits_total",
      help: "Requests refused with 429 by a rate limit, by route pattern",
      labelNames: ["route"],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "latchkey_job_duration_seconds",
      help: "Time a job's run took in the worker, by queue and outcome",
      labelNames: ["queue", "outcome"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    jobLatency: new Histogram({
      name: "latchkey_job_latency_seconds",
      help: "Time from a job entering its queue to its completion, by queue",
      labelNames: ["queue"],
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    userCache: new Counter({
      name: "latchkey_user_cache_total",
      help: "Signed-in users taken from this process's copy (hit) or loaded from PostgreSQL (miss: first request, a published change, or older than USER_CACHE_SECONDS)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
  if (probes) registerProbes(registry, probes);
  return metrics;
}

function registerProbes(registry: Registry, probes: MetricsProbes): void {
  new Gauge({
    name: "latchkey_dependency_up",
    help: "1 when the dependency answered a ping within 2 s at scrape time, else 0",
    labelNames: ["dependency"],
    registers: [registry],
    // Across cluster workers, a dependency is up only if every worker reaches it.
    aggregator: "min",
    async collect() {
      const [database, redis] = await Promise.all([answers(probes.database), answers(probes.redis)]);
      this.set({ dependency: "postgresql" }, database ? 1 : 0);
      this.set({ dependency: "redis" }, redis ? 1 : 0);
    },
  });
  new Gauge({
    name: "latchkey_queue_jobs",
    help: "Jobs in each BullMQ queue by state (waiting, delayed, active, failed) at scrape time",
    labelNames: ["queue", "state"],
    registers: [registry],
    // Every process reads the same Redis: one value, not a sum.
    aggregator: "first",
    async collect() {
      this.reset();
      const counts = await withTimeout(probes.queueCounts()).catch(() => ({}));
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
      }
    },
  });
  new Gauge({
    name: "latchkey_outbox_pending",
    help: "Outbox rows committed but not yet relayed into a queue, at scrape time",
    registers: [registry],
    aggregator: "first",
    async collect() {
      const pending = await withTimeout(probes.outboxPending()).catch(() => Number.NaN);
      this.set(pending);
    },
  });
  new Gauge({
    name: "latchkey_change_marks_pending",
    help: "Changes committed but not yet published to Redis for the processes' copies of the signed-in user, at scrape time (more than a few for long: Redis refuses them)",
    registers: [registry],
    aggregator: "first",
    async collect() {
      const pending = await withTimeout(probes.changeMarksPending()).catch(() => Number.NaN);
      this.set(pending);
    },
  });
}

async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  return withTimeout(probe()).then(
    () => true,
    () => false,
  );
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return withinTime(promise, PROBE_TIMEOUT_MS, "the probe's answer");
}

// Compares a presented bearer token with the configured one in constant
// time: both are hashed first, so neither the content nor the length of the
// secret shows in the timing.
export function metricsTokenMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(authorization ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

// The separate metrics listener (METRICS_PORT, loopback by default). In a
// cluster the primary serves it and aggregates every web process's registry
// (prom-client's AggregatorRegistry); otherwise it serves `registry`.
export function serveMetrics(options: { port: number; host: string; token?: string; registry?: Registry; cluster?: boolean }): Server {
  const aggregator = options.cluster ? new AggregatorRegistry() : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.statusCode = 404;
      return void res.end();
    }
    if (options.token && !metricsTokenMatches(req.headers.authorization, options.token)) {
      res.statusCode = 401;
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      return void res.end();
    }
    const body = aggregator ? aggregator.clusterMetrics() : options.registry!.metrics();
    body.then(
      (text) => {
        res.setHeader("Content-Type", aggregator ? aggregator.contentType : options.registry!.contentType);
        res.setHeader("Cache-Control", "no-store");
        res.end(text);
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  server.listen(options.port, options.host);
  return server;
}

// A cluster worker answers the primary's aggregation requests from its registry.
// (prom-client installs the worker's IPC listener when an AggregatorRegistry
// is constructed, not on setRegistries: without one the primary's request
// times out.)
export function shareWithClusterPrimary(registry: Registry): void {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}
