import { platformJobs, type AnyJobDefinition } from "../src/platform/jobs/index.js";
import { cancellationJobs } from "../src/modules/cancellation/index.js";
import { pruneAuditEventsJob } from "../src/modules/audit/index.js";

// Every background job, by queue: the platform's (mail, SMS) and each
// module's (its jobs.ts, exported from its index.ts). Queues and workers are
// built from this list, so a new job is one line here and a file in its module.
export const jobRegistry: readonly AnyJobDefinition[] = [...platformJobs, pruneAuditEventsJob, ...cancellationJobs];
