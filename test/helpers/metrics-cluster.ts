// A cluster of two workers, each with its own metrics registry, and the
// primary serving them aggregated on a loopback port (as src/server.ts does
// with WEB_CONCURRENCY > 1 and METRICS_PORT). Prints the port once every
// worker has shared its registry; test/platform/metrics.test.ts scrapes it.
import cluster from "node:cluster";
import { createMetrics, serveMetrics, shareWithClusterPrimary } from "../../src/platform/metrics.js";

if (cluster.isPrimary) {
  const port = Number(process.argv[2]);
  let ready = 0;
  for (let i = 0; i < 2; i++) {
    cluster.fork({ WORKER_INDEX: String(i) }).on("message", (message) => {
      if (message === "ready" && ++ready === 2) {
        const server = serveMetrics({ port, host: "127.0.0.1", cluster: true });
        server.once("listening", () => console.log(`listening ${port}`));
      }
    });
  }
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const index = Number(process.env.WORKER_INDEX);
  // Worker 1 cannot reach Redis: the aggregate must say Redis is down.
  const metrics = createMetrics({
    database: async () => undefined,
    redis: async () => {
      if (index === 1) throw new Error("unreachable");
    },
    queueCounts: async () => ({ mail: { waiting: 3 } }),
    outboxPending: async () => 2,
    changeMarksPending: async () => 0,
  });
  metrics.signIns.inc({ outcome: "success" });
  shareWithClusterPrimary(metrics.registry);
  process.send?.("ready");
}
