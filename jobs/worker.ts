import { UnrecoverableError, Worker } from "bullmq";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.js";
import { buildDeps, type Deps } from "../src/platform/deps.js";
import { logCrashes } from "../src/platform/logger.js";
import type { AnyJobDefinition } from "../src/platform/jobs/index.js";
import { performOnce } from "../src/platform/jobs/perform-once.js";
import { bullPrefix, queueNamesOf } from "../src/platform/jobs/queues.js";
import { startOutboxRelay } from "../src/platform/outbox/index.js";
import { jobRegistry } from "./registry.js";
import { createRedisConnection } from "../src/platform/redis.js";
import { isInfrastructureError } from "../src/platform/errors.js";
import { serveMetrics } from "../src/platform/metrics.js";
import { TimedOut, withinTime } from "../src/platform/timeout.js";

export interface RunningWorkers {
  close(): Promise<void>;
}

// Starts one BullMQ worker per queue of the job registry, and the outbox relay
// that feeds them. Runs in the web process in the embedded default
// (IN_PROCESS_WORKER=true) or on its own with `npm run worker`.
export function startWorkers(deps: Deps, jobs: readonly AnyJobDefinition[] = jobRegistry): RunningWorkers {
  const missing = queueNamesOf(jobs).filter((queue) => !deps.queues.names().includes(queue));
  if (missing.length) throw new Error(`Queues ${missing.join(", ")} are not in deps.queues: pass the same job registry to buildDeps and startWorkers`);

  const connection = createRedisConnection(deps.config.redis, "worker", deps.logger);
  // A killed worker's jobs are retried once their lock lapses; a job may stall
  // several times (each crash) because every job is safe to run again.
  const lockDuration = deps.config.jobLockSeconds * 1000;
  const workers = queueNamesOf(jobs).map((queue) => {
    const jobsByName = new Map(jobs.filter((job) => job.queue === queue).map((job) => [job.name, job]));
    return new Worker(
      queue,
      async (received) => {
        const job = jobsByName.get(received.name);
        if (!job) throw new UnrecoverableError(`Unknown ${queue} job ${received.name}`);
        const outcome = await performOnce(deps, job, received.id!, received.data);
        if (outcome === "already-done") deps.logger.debug({ queue, jobId: received.id }, "job already done; skipped");
      },
      { connection, prefix: bullPrefix(deps.config.redisPrefix, queue), concurrency: 4, lockDuration, stalledInterval: lockDuration, maxStalledCount: 10 },
    );
  });
  for (const worker of workers) {
    // Metrics by queue name only: run time, and latency from entering the
    // queue (BullMQ's timestamp) to completion.
    worker.on("completed", (job) => {
      const finished = job.finishedOn ?? Date.now();
      if (job.processedOn) deps.metrics.jobDuration.observe({ queue: worker.name, outcome: "completed" }, (finished - job.processedOn) / 1000);
      deps.metrics.jobLatency.observe({ queue: worker.name }, Math.max(0, finished - job.timestamp) / 1000);
    });
    // Job payloads hold codes: log the job id and error only, never the data.
    worker.on("failed", (job, error) => {
      if (job?.processedOn) deps.metrics.jobDuration.observe({ queue: worker.name, outcome: "failed" }, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
      deps.logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, "job failed");
    });
    // Connection errors repeat while Redis is away and the workers reconnect:
    // the connection's own listener logs the outage once (platform/redis.ts).
    // Anything else is logged as it comes.
    worker.on("error", (error) => {
      if (!isInfrastructureError(error)) deps.logger.error({ queue: worker.name, err: error }, "job worker error");
    });
  }
  scheduleRepeatableJobs(deps, jobs);
  const relay = startOutboxRelay(deps, deps.queues);
  return {
    async close() {
      // Workers' close() waits for jobs in flight, so SIGTERM drains instead
      // of dropping. Bounded: a closing under load against a restarted Redis
      // Cluster was once seen to wait for good (in tests, where no forced exit
      // follows as it does in the processes). After the shutdown timeout the
      // workers are cut loose; a job cut off is retried once its lock lapses.
      const drained = (async () => {
        await relay.close();
        await Promise.all(workers.map((worker) => worker.close()));
      })();
      await withinTime(drained, deps.config.shutdownTimeoutSeconds * 1000, "closing the job workers").catch((error: unknown) => {
        if (!(error instanceof TimedOut)) throw error;
        deps.logger.warn({ timeoutSeconds: deps.config.shutdownTimeoutSeconds }, "job workers did not close in time; disconnecting them");
        for (const worker of workers) void worker.disconnect().catch(() => {});
      });
      connection.disconnect();
    },
  };
}

// Jobs with a `repeat` get a BullMQ job scheduler named after the job.
// upsertJobScheduler is idempotent, so every worker process (and every
// restart) registering it still leaves one schedule, and a changed pattern
// replaces the old one. Redis away at start: logged, registered next start.
export function scheduleRepeatableJobs(deps: Deps, jobs: readonly AnyJobDefinition[]): void {
  for (const job of jobs) {
    if (!job.repeat) continue;
    deps.queues
      .get(job.queue)
      .upsertJobScheduler(job.name, { pattern: job.repeat.pattern, tz: "UTC" }, { name: job.name, data: {} })
      .catch((error: unknown) => deps.logger.warn({ queue: job.queue, job: job.name, err: error instanceof Error ? error.message : error }, "could not schedule repeatable job"));
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await buildDeps(config, { jobs: jobRegistry });
  logCrashes(deps.logger);
  const workers = startWorkers(deps, jobRegistry);
  // A worker process serves no HTTP: its job metrics are on METRICS_PORT.
  const metricsServer = config.metrics.port
    ? serveMetrics({ port: config.metrics.port, host: config.metrics.host, token: config.metrics.token, registry: deps.metrics.registry })
    : undefined;
  deps.logger.info("worker started");
  // Jobs in flight finish (BullMQ's close waits for them), bounded like the
  // web process; a job cut off by the timeout is retried once its lock lapses.
  const shutdown = async () => {
    deps.logger.info("worker draining");
    setTimeout(() => {
      deps.logger.error({ timeoutSeconds: config.shutdownTimeoutSeconds }, "worker shutdown timed out; running jobs are handed back");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000).unref();
    metricsServer?.close();
    await workers.close();
    await deps.close();
    deps.logger.info("worker drained");
    process.exit(0);
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
