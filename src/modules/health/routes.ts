import { Router } from "express";
import type { WebDeps } from "../../web/deps.js";

// /healthz: the process answers. /readyz: it can reach PostgreSQL and Redis,
// for load balancers and the Docker healthcheck.
export function healthRoutes(deps: WebDeps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  router.get("/readyz", async (_req, res) => {
    const [database, redis] = await Promise.all([
      deps.database.ping().then(() => "ok", () => "unreachable"),
      deps.redis.ping().then(() => "ok", () => "unreachable"),
    ]);
    const ready = database === "ok" && redis === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", database, redis });
  });
  return router;
}
