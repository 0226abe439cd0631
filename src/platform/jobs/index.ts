import type { AnyJobDefinition } from "./definition.js";
import { sendMailJob } from "./mail-job.js";
import { sendSmsJob } from "./sms-job.js";

export type { AnyJobDefinition, JobDefinition, JobDeps, SqlDb } from "./definition.js";
export { createQueues, type JobQueues } from "./queues.js";
export { sendMailJob, sendSmsJob };

// Infrastructure jobs every process knows. Feature modules add their own by
// passing a longer list to buildDeps and startWorkers.
export const platformJobs: readonly AnyJobDefinition[] = [sendMailJob, sendSmsJob];
