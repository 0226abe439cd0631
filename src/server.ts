import cluster from "node:cluster";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import type { RunningWorkers } from "../jobs/worker.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { Deps } from "./platform/deps.js";
import { openDatabase } from "./platform/db.js";
import { logCrashes, type Logger } from "./platform/logger.js";
import { serveMetrics, shareWithClusterPrimary } from "./platform/metrics.js";
import { startupFields, startupText, wantsHumanStartup, type StartupFacts } from "./platform/startup-message.js";

// boot: loadConfig -> migrate -> buildDeps -> createApp -> listen.
// With WEB_CONCURRENCY > 1 the primary migrates once, then forks web workers.
async function main(): Promise<void> {
  const config = loadConfig();
  if (cluster.isPrimary) await migrate(config);
  if (cluster.isPrimary && config.webConcurrency > 1) return forkWebProcesses(config);
  await serve(config);
}

async function migrate(config: Config): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}

// The primary only supervises: on SIGTERM/SIGINT it passes the signal on,
// waits for every web process to drain, and exits 0 when all of them did.
function forkWebProcesses(config: Config): void {
  if (!config.databaseUrl) {
    throw new ConfigError("Invalid configuration:\n  WEB_CONCURRENCY: more than one web process needs DATABASE_URL (the embedded database is single-process)");
  }
  for (let i = 0; i < config.webConcurrency; i++) cluster.fork();
  // METRICS_PORT: the primary answers for every web process at once
  // (prom-client's AggregatorRegistry asks each worker over IPC).
  const metricsServer = config.metrics.port ? serveMetrics({ port: config.metrics.port, host: config.metrics.host, token: config.metrics.token, cluster: true }) : undefined;
  let stopping = false;
  let failed = false;
  cluster.on("exit", (worker, code) => {
    if (code !== 0) failed = true;
    if (!stopping && code !== 0) cluster.fork();
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
  });
  // A web process still starting has no handler for the signal yet and would
  // die of it (a failed exit): it gets the signal once it listens, and then
  // drains like the others.
  const listening = new Set<number>();
  cluster.on("listening", (worker) => listening.add(worker.id));
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    failed = false;
    metricsServer?.close();
    const forwarded = signal === "SIGINT" ? "SIGTERM" : signal;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker) continue;
      if (listening.has(worker.id)) worker.process.kill(forwarded);
      else worker.once("listening", () => worker.process.kill(forwarded));
    }
    // The workers bound themselves by the same timeout; this is the backstop.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }, (config.shutdownTimeoutSeconds + 5) * 1000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function serve(config: Config): Promise<void> {
  // The app is loaded here rather than at the top: a cluster primary only
  // migrates and supervises, and importing the app (every module, sharp's
  // bindings aside) held about 160 MB in it for nothing.
  const [{ createApp }, { buildDeps }, { jobRegistry }, { startWorkers }, { drainingReadiness }, { countUsers }] = await Promise.all([
    import("./app.js"),
    import("./platform/deps.js"),
    import("../jobs/registry.js"),
    import("../jobs/worker.js"),
    import("./modules/health/index.js"),
    import("./modules/users/index.js"),
  ]);
  const deps = await buildDeps(config, { jobs: jobRegistry });
  logCrashes(deps.logger);
  // The embedded default runs the job worker in the web process (one per web
  // process when clustered); docker-compose runs it separately instead.
  const workers: RunningWorkers | undefined = config.inProcessWorker ? startWorkers(deps, jobRegistry) : undefined;
  const app = createApp(deps);
  // One process: it serves METRICS_PORT itself. A cluster worker hands its
  // registry to the primary's aggregation instead.
  if (cluster.isWorker) shareWithClusterPrimary(deps.metrics.registry);
  const metricsServer =
    !cluster.isWorker && config.metrics.port
      ? serveMetrics({ port: config.metrics.port, host: config.metrics.host, token: config.metrics.token, registry: deps.metrics.registry })
      : undefined;
  const drain = drainOnSignal(deps.logger, drainingReadiness);
  // Ahead of Express: once draining, /readyz answers 503 and every response
  // closes its connection.
  const server = createServer((req, res) => {
    if (!drain.onRequest(req, res)) app(req, res);
  });
  server.listen(config.port, () => {
    void announce(config, deps, countUsers).catch(() => deps.logger.info({ url: config.baseUrl, database: deps.database.kind }, "Latchkey is listening"));
  });

  drain.onSignal(async () => {
    const forced = setTimeout(() => {
      deps.logger.error({ timeoutSeconds: config.shutdownTimeoutSeconds, openResponses: drain.open() }, "shutdown timed out; exiting with requests unanswered");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    forced.unref();
    // Stop accepting; idle keep-alive connections close now, busy ones after
    // their current response (Connection: close).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    metricsServer?.close();
    await closed;
    // Jobs in flight finish; waiting ones stay in Redis for the next process.
    await workers?.close();
    await deps.close();
    deps.logger.info("drained");
    process.exit(0);
  });
}

// Human words on a terminal (development), one JSON line otherwise. In a
// cluster only the first web process speaks.
async function announce(config: Config, deps: Deps, countUsers: (db: Deps["db"]) => Promise<number>): Promise<void> {
  if (cluster.isWorker && cluster.worker?.id !== 1) return void deps.logger.info({ url: config.baseUrl }, "Latchkey is listening");
  const facts: StartupFacts = {
    url: config.baseUrl,
    needsSetup: (await countUsers(deps.db)) === 0,
    database: deps.database.kind === "pglite" ? { kind: "pglite", directory: path.join(config.dataDir, "pglite") } : { kind: "postgres" },
    ...(config.secretKeyFile ? { secretKeyFile: config.secretKeyFile } : {}),
    // The dev mailbox exists where mail goes to files, never in production.
    ...(config.smtpUrl || config.env === "production" ? {} : { mailbox: { url: `${config.baseUrl}/dev/mailbox`, directory: deps.outboxDir } }),
  };
  if (wantsHumanStartup(config.env, process.stdout.isTTY)) process.stdout.write(startupText(facts));
  else deps.logger.info(startupFields(facts), "Latchkey is listening");
}

// Tracks the responses in flight so a signal can turn each into the last one
// on its connection, and answers /readyz with 503 while draining so a load
// balancer stops sending traffic before the process goes.
function drainOnSignal(logger: Logger, drainingReadiness: () => { status: number; body: unknown }) {
  const open = new Set<ServerResponse>();
  let draining = false;
  const lastOnConnection = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("Connection", "close");
    // Headers already out: end the connection once this response is done.
    else res.once("finish", () => res.socket?.end());
  };
  return {
    open: () => open.size,
    // True when it answered the request itself.
    onRequest(req: IncomingMessage, res: ServerResponse): boolean {
      if (draining) {
        res.setHeader("Connection", "close");
        if (req.url === "/readyz") {
          const { status, body } = drainingReadiness();
          res.statusCode = status;
          res.setHeader("Content-Type", "application/json; charset=utf-8");
          res.end(JSON.stringify(body));
          return true;
        }
      }
      open.add(res);
      res.once("close", () => open.delete(res));
      return false;
    },
    onSignal(shutdown: () => Promise<void>) {
      const handle = (signal: NodeJS.Signals) => {
        if (draining) return;
        draining = true;
        logger.info({ signal, inFlight: open.size }, "draining");
        for (const res of open) lastOnConnection(res);
        shutdown().catch((error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        });
      };
      process.on("SIGTERM", handle);
      process.on("SIGINT", handle);
    },
  };
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
