import { Router } from "express";
import type { WebDeps } from "../../web/deps.js";

// A dependency that does not answer within this time counts as down: a load
// balancer's probe must get an answer, not hang with a half-open connection.
const PROBE_TIMEOUT_MS = 2000;

// /healthz: the process answers. /readyz: it can reach PostgreSQL and Redis,
// for load balancers and the Docker healthcheck. While the process drains
// after SIGTERM, src/server.ts answers /readyz itself (drainingReadiness).
export function healthRoutes(deps: WebDeps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  router.get("/readyz", async (_req, res) => {
    const [database, redis] = await Promise.all([
      probe(() => deps.database.ping()),
      // A connection that is reconnecting serves no request (requireRedisReady).
      deps.redis.status === "ready" ? probe(() => deps.redis.ping()) : Promise.resolve("unreachable" as const),
    ]);
    const ready = database === "ok" && redis === "ok";
    res.setHeader("Cache-Control", "no-store");
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", database, redis });
  });
  return router;
}

async function probe(check: () => Promise<unknown>): Promise<"ok" | "unreachable"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"unreachable">((resolve) => (timer = setTimeout(() => resolve("unreachable"), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([check().then(() => "ok" as const, () => "unreachable" as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// What /readyz says once the process has begun to shut down.
export function drainingReadiness(): { status: number; body: Record<string, string> } {
  return { status: 503, body: { status: "draining" } };
}
