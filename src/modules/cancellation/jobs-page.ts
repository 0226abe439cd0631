import { Router } from "express";
import type { Deps } from "../../platform/deps.js";
import type { WebDeps } from "../../web/deps.js";
import { requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { renderPage } from "../../web/render.js";

const FAILED_SHOWN = 25;

// What the queues hold, and the latest failures with their reason. Payloads
// are never shown: mail jobs carry one-time codes and links.
export async function queueOverview(deps: Pick<Deps, "queues">) {
  return Promise.all(
    deps.queues.names().map(async (name) => {
      const queue = deps.queues.get(name);
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed");
      const failed = await queue.getFailed(0, FAILED_SHOWN - 1);
      return {
        name,
        counts,
        failed: failed.map((job) => ({ id: job.id, name: job.name, attempts: job.attemptsMade, reason: job.failedReason, at: new Date(job.finishedOn ?? job.timestamp) })),
      };
    }),
  );
}

// /admin/jobs: background jobs for instance administrators (retries run with
// exponential backoff; a job lands here after its last attempt failed).
export function jobsPageRoutes(deps: WebDeps): Router {
  const router = Router();
  router.get("/admin/jobs", requireUser, requireInstanceAdmin, async (_req, res) => {
    renderPage(res, "cancellation/jobs", { title: "cancellation:jobs.heading", queues: await queueOverview(deps) });
  });
  return router;
}
