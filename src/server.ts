import cluster from "node:cluster";
import type { Server } from "node:http";
import { jobRegistry } from "../jobs/registry.js";
import { startWorkers, type RunningWorkers } from "../jobs/worker.js";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { buildDeps } from "./platform/deps.js";
import { openDatabase } from "./platform/db.js";

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

function forkWebProcesses(config: Config): void {
  if (!config.databaseUrl) {
    throw new ConfigError("Invalid configuration:\n  WEB_CONCURRENCY: more than one web process needs DATABASE_URL (the embedded database is single-process)");
  }
  for (let i = 0; i < config.webConcurrency; i++) cluster.fork();
  let stopping = false;
  cluster.on("exit", (worker, code) => {
    if (!stopping && code !== 0) cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function serve(config: Config): Promise<void> {
  const deps = await buildDeps(config, { jobs: jobRegistry });
  // The embedded default runs the job worker in the web process (one per web
  // process when clustered); docker-compose runs it separately instead.
  const workers: RunningWorkers | undefined = config.inProcessWorker ? startWorkers(deps, jobRegistry) : undefined;
  const app = createApp(deps);
  const server: Server = app.listen(config.port, () => {
    deps.logger.info({ url: config.baseUrl, database: deps.database.kind }, "Latchkey is listening");
  });

  // SIGTERM: stop accepting, let in-flight requests and jobs finish, then exit.
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    deps.logger.info({ signal }, "draining");
    const forceExit = setTimeout(() => process.exit(1), 15_000);
    forceExit.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await workers?.close();
    await deps.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
