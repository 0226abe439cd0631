import { Queue, type JobsOptions } from "bullmq";
import { tagKey, type RedisClient } from "../redis.js";
import type { AnyJobDefinition } from "./definition.js";

// One BullMQ queue per queue name found in the job registry.
export interface JobQueues {
  names(): string[];
  // False while the Redis connection is down: callers skip work that would
  // only wait on it.
  isConnected(): boolean;
  get(queue: string): Queue;
  // Adds jobs to one queue in a single Redis round trip; a jobId already
  // present in the queue is not added twice.
  addAll(queue: string, jobs: Array<{ name: string; payload: unknown; jobId: string }>): Promise<void>;
  close(): Promise<void>;
}

// Jobs retry with exponential backoff; finished jobs are trimmed so Redis does
// not grow without bound. Mail bodies may hold codes, so completed jobs go.
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

// BullMQ's Lua scripts touch many keys of a queue at once, so in a Redis
// Cluster all of them must share a slot: the queue name in braces is their
// hash tag (BullMQ's own advice), one tag per queue so queues spread over the
// masters. Keys stay under REDIS_PREFIX: `latchkey:bull:{mail}:mail:wait`.
export function bullPrefix(redisPrefix: string, queue: string): string {
  return `${redisPrefix}bull:${tagKey(queue)}`;
}

export function queueNamesOf(jobs: readonly AnyJobDefinition[]): string[] {
  return [...new Set(jobs.map((job) => job.queue))];
}

export function createQueues(connection: RedisClient, redisPrefix: string, jobs: readonly AnyJobDefinition[]): JobQueues {
  const queues = new Map(
    queueNamesOf(jobs).map((name) => {
      const queue = new Queue(name, { connection, prefix: bullPrefix(redisPrefix, name), defaultJobOptions });
      // Without a listener BullMQ prints every reconnect failure to stderr;
      // an outage shows up where it matters (the relay warns, adds fail).
      queue.on("error", () => {});
      return [name, queue] as const;
    }),
  );
  const get = (name: string): Queue => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`No queue named ${name} in the job registry`);
    return queue;
  };
  return {
    names: () => [...queues.keys()],
    isConnected: () => connection.status === "ready",
    get,
    async addAll(name, jobs) {
      await get(name).addBulk(jobs.map((job) => ({ name: job.name, data: job.payload, opts: { jobId: job.jobId } })));
    },
    close: async () => void (await Promise.all([...queues.values()].map((queue) => queue.close()))),
  };
}
