import express, { Router, type NextFunction, type Request, type Response } from "express";
import { AppError } from "../../platform/errors.js";
import { requireRedisReady } from "../../web/availability.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { renderPage } from "../../web/render.js";
import { assertNoTokenInQuery, authenticateToken, bearerSecret, requireScope, type TokenAuthentication } from "../tokens/index.js";
import { presentReference } from "./docs.js";
import { endpoints } from "./endpoints.js";
import { apiErrorHandler } from "./errors.js";
import { buildOpenApiDocument } from "./openapi.js";
import { API_LIMITS, createApiLimiter } from "./rate-limit.js";

export const API_BASE = "/api/v1";
const BODY_LIMIT = "16kb";

declare module "express-serve-static-core" {
  interface Request {
    apiAuth?: TokenAuthentication;
  }
}

// The management API. It is mounted before the session and CSRF middleware
// (app.ts) and never reads a cookie: a request is who its Bearer token says,
// so a cross-site form cannot act through it, which is why it needs no CSRF
// token. Its own JSON body parser and error handler; every answer is JSON.
export function apiRoutes(deps: WebDeps): Router {
  const router = Router();
  const perIp = createApiLimiter(deps.redis, deps.config.redisPrefix, "ip", API_LIMITS.perIp);
  const perToken = createApiLimiter(deps.redis, deps.config.redisPrefix, "token", API_LIMITS.perToken);
  const document = buildOpenApiDocument(endpoints, deps.config.baseUrl);
  const parseJson = express.json({ limit: BODY_LIMIT, strict: true, type: () => true });

  router.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  router.use(requireRedisReady(deps.redis));
  router.use(async (req, res, next) => {
    await perIp(res, req.ip ?? "unknown");
    next();
  });

  router.get("/openapi.json", (_req, res) => void res.json(document));
  router.get("/docs", (_req, res) => renderPage(res, "api/docs", { title: "api:title", reference: presentReference(document, endpoints) }));

  router.use(async (req, res, next) => {
    assertNoTokenInQuery(req.query as Record<string, unknown>);
    req.apiAuth = await authenticateToken(deps, bearerSecret(req.headers.authorization), req.ip ?? "unknown", requestMeta(req));
    await perToken(res, req.apiAuth.token.id);
    next();
  });
  router.use((req, res, next) => jsonBody(req, res, next, parseJson));

  for (const endpoint of endpoints) {
    router[endpoint.method](endpoint.path, async (req, res) => {
      const auth = req.apiAuth!;
      const meta = requestMeta(req);
      await requireScope(deps, auth, endpoint.scope, meta);
      const result = await endpoint.handle({ deps, req, auth, meta });
      if (result.body === undefined) return void res.status(result.status).end();
      res.status(result.status).json(result.body);
    });
  }

  router.use((_req, _res, next) => next(new AppError(404, "NOT_FOUND", { message: "There is no such API route." })));
  router.use(apiErrorHandler(deps.logger));
  return router;
}

// A body, when there is one, must be a JSON object sent as application/json
// and at most 16 KB; anything else is refused before a handler runs.
function jsonBody(req: Request, res: Response, next: NextFunction, parseJson: ReturnType<typeof express.json>) {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (!hasBody) {
    req.body = {};
    return next();
  }
  if (!req.is("application/json")) {
    return next(new AppError(415, "UNSUPPORTED_MEDIA_TYPE", { field: "content-type", message: "Send the body as application/json." }));
  }
  parseJson(req, res, (error?: unknown) => {
    if (error) return next(error);
    if (!req.body || typeof req.body !== "object" || Array.isArray(req.body)) {
      return next(new AppError(422, "INVALID_BODY", { field: "body", message: "The body must be a JSON object." }));
    }
    next();
  });
}
