import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../platform/deps.js";
import { metricsTokenMatches } from "../platform/metrics.js";

// Routers mounted under a path with parameters: their requests' baseUrl is
// the concrete path ("/w/acme"), so it is replaced by the pattern.
const MOUNTS: Array<[RegExp, string]> = [
  [/^\/w\/[^/]+$/, "/w/:slug"],
  [/^\/api\/v1$/, "/api/v1"],
];

// The route *pattern* that answered ("/w/:slug/members/:id"), never the URL
// the client sent: a label holds no id, slug, username or query string, and
// the set of values stays bounded. Requests no route matched (404s, static
// files, probes answered by middleware) share a few fixed labels.
export function routeLabel(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route !== "string") {
    if (req.originalUrl.startsWith("/static/")) return "/static/*";
    return "(unmatched)";
  }
  const base = req.baseUrl;
  if (!base) return route;
  const mount = MOUNTS.find(([pattern]) => pattern.test(base))?.[1];
  // An unknown mount is labelled as such rather than risk a concrete path.
  return `${mount ?? "(mounted)"}${route === "/" ? "" : route}` || "/";
}

// First in the chain: times every request until its response is sent, by
// route pattern, method and status class; a 429 also counts as a rate-limit
// hit (every limit answers 429, whichever module enforces it).
export function requestMetrics(deps: Pick<Deps, "metrics">) {
  const { httpDuration, rateLimitHits } = deps.metrics;
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once("finish", () => {
      const route = routeLabel(req);
      httpDuration.observe({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` }, (performance.now() - started) / 1000);
      if (res.statusCode === 429) rateLimitHits.inc({ route });
    });
    next();
  };
}

// GET /metrics on the app's own port, only with METRICS_TOKEN as a bearer
// token (compared in constant time). Without a configured token the path
// answers 404, so metrics are never public by default. With several
// web processes this is one process's view: scrape METRICS_PORT instead
// (the cluster primary aggregates every process), docs/operations.md.
export function metricsRoute(deps: Pick<Deps, "metrics" | "config">) {
  const token = deps.config.metrics.token;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== "/metrics") return next();
    // Reserved: without a configured token the path is simply not found.
    if (req.method !== "GET" || !token) return void res.status(404).type("text/plain").send("Not found");
    res.setHeader("Cache-Control", "no-store");
    if (!metricsTokenMatches(req.headers.authorization, token)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      return void res.status(401).type("text/plain").send("Unauthorized");
    }
    try {
      const body = await deps.metrics.registry.metrics();
      res.type(deps.metrics.registry.contentType).send(body);
    } catch (error) {
      next(error);
    }
  };
}
