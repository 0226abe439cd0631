import { Worker } from "bullmq";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.js";
import { buildDeps, type Deps } from "../src/platform/deps.js";
import { MAIL_QUEUE, SMS_QUEUE } from "../src/platform/queue.js";
import { createRedisConnection } from "../src/platform/redis.js";
import { sendMailJob } from "./send-mail.js";
import { sendSmsJob } from "./send-sms.js";

export interface RunningWorkers {
  close(): Promise<void>;
}

// Starts every queue's worker. Runs in the web process in the embedded
// default (IN_PROCESS_WORKER=true) or on its own with `npm run worker`.
export function startWorkers(deps: Deps): RunningWorkers {
  const connection = createRedisConnection(deps.config.redisUrl, "worker");
  // One worker per queue; each queue carries one kind of job.
  const jobsByQueue = [
    [MAIL_QUEUE, sendMailJob],
    [SMS_QUEUE, sendSmsJob],
  ] as const;
  const workers = jobsByQueue.map(
    ([queue, job]) =>
      new Worker(
        queue,
        async (received) => {
          if (received.name !== job.name) throw new Error(`Unknown ${queue} job ${received.name}`);
          await job.perform(deps, received.data);
        },
        { connection, prefix: `${deps.config.redisPrefix}bull`, concurrency: 4 },
      ),
  );
  for (const worker of workers) {
    // Job payloads hold codes: log the job id and error only, never the data.
    worker.on("failed", (job, error) => {
      deps.logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, "job failed");
    });
    worker.on("error", () => {});
  }
  return {
    async close() {
      // close() waits for jobs in flight, so SIGTERM drains instead of dropping.
      await Promise.all(workers.map((worker) => worker.close()));
      connection.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await buildDeps(config);
  const workers = startWorkers(deps);
  deps.logger.info("worker started");
  const shutdown = async () => {
    deps.logger.info("worker draining");
    await workers.close();
    await deps.close();
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
