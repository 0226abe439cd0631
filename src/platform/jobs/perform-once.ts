import { UnrecoverableError } from "bullmq";
import type { AnyJobDefinition, JobDeps } from "./definition.js";

// A week: far longer than any retry or re-delivery of the same job.
const DONE_TTL_SECONDS = 7 * 24 * 3600;

export function jobDoneKey(redisPrefix: string, queue: string, jobId: string): string {
  return `${redisPrefix}job-done:${queue}:${jobId}`;
}

// Runs a job unless a job with this id already finished. The relay may add a
// job twice (it can stop between the add and the row delete) and BullMQ runs a
// killed worker's jobs again, so the effect is keyed by the job id. The mark is
// set after the effect: a crash in between re-runs the job (never loses it),
// and the transports are idempotent by the same key for that window.
export async function performOnce(deps: JobDeps, job: AnyJobDefinition, jobId: string, payload: unknown): Promise<"performed" | "already-done"> {
  const key = jobDoneKey(deps.config.redisPrefix, job.queue, jobId);
  if (await deps.redis.exists(key)) return "already-done";
  const parsed = job.schema.safeParse(payload);
  // No retry can fix a payload; the message names the job, never the data.
  if (!parsed.success) throw new UnrecoverableError(`Payload of ${job.queue}/${job.name} does not match its schema`);
  await job.perform(deps, parsed.data, { jobId });
  await deps.redis.set(key, "1", "EX", DONE_TTL_SECONDS);
  return "performed";
}
