import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../platform/logger.js";
import { AppError, isInfrastructureError, ValidationError } from "../platform/errors.js";
import { isHtmx, renderForm, renderFragment, renderPage, type FormContext } from "./render.js";
import { csrfTokenFor } from "./security.js";

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Sign in required",
  403: "Access denied",
  404: "Page not found",
  413: "Too large",
  422: "Check your input",
  429: "Too many attempts",
  500: "Something went wrong",
  503: "Temporarily unavailable",
};

// The one place errors become responses: a form fragment (htmx, 4xx), a
// re-rendered page (no JavaScript), JSON under /api, or an error page.
export function errorHandler(logger: Logger) {
  const outage = outageLog(logger);
  return async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.end();
    const appError = toAppError(error, outage, logger, req);
    const form = res.locals.form as FormContext | undefined;

    if (req.path.startsWith("/api/")) {
      return void res.status(appError.status).json({ error: { code: appError.code, message: appError.message, field: appError.field } });
    }
    if (form && appError.status < 500 && appError.status !== 403) {
      const errors = appError instanceof ValidationError ? appError.fieldErrors : appError.field ? { [appError.field]: appError.message } : {};
      const formError = appError instanceof ValidationError || appError.field ? undefined : appError.message;
      try {
        return await renderForm(req, res, form, appError.status, { errors, formError });
      } catch (renderError) {
        // Loading the page to re-render failed (e.g. the database went away).
        return renderErrorPage(req, res, toAppError(renderError, outage, logger, req));
      }
    }
    renderErrorPage(req, res, appError);
  };
}

function renderErrorPage(req: Request, res: Response, appError: AppError): void {
  // The page's own forms (sign out) need a token even when the error came
  // before the middleware that sets it.
  if (!res.locals.csrfToken && req.session) res.locals.csrfToken = csrfTokenFor(req);
  if (appError.status === 503) res.setHeader("Retry-After", "5");
  const data = { title: TITLES[appError.status] ?? "Error", message: appError.message, status: appError.status };
  if (isHtmx(req)) {
    // An htmx request that failed outside a form: show the error in the main
    // area instead of swapping it into whatever element asked.
    res.setHeader("HX-Retarget", "#main");
    res.setHeader("HX-Reswap", "innerHTML");
    return renderFragment(res, "errors/error", data, appError.status);
  }
  renderPage(res, "errors/error", data, appError.status);
}
// Paths can carry secrets (reset links): long token-like segments are not logged.
export function loggablePath(path: string): string {
  return path.replace(/\/[\w-]{20,}(?=\/|$)/g, "/[redacted]");
}

// During an outage every request fails the same way: one line when the
// failures start, then at most one a minute with how many requests failed
// since (a PostgreSQL cut used to log a line per request, 5,168 of them).
// Redis connections also log their own transitions (platform/redis.ts).
const OUTAGE_LOG_INTERVAL_MS = 60_000;

function outageLog(logger: Logger) {
  let lastLoggedAt = -Infinity;
  let unlogged = 0;
  return (error: Error, req: Request) => {
    const now = Date.now();
    if (now - lastLoggedAt < OUTAGE_LOG_INTERVAL_MS) return void unlogged++;
    const failedSince = unlogged;
    lastLoggedAt = now;
    unlogged = 0;
    logger.warn({ err: error.message, path: loggablePath(req.path), ...(failedSince ? { failedRequestsSinceLastLine: failedSince } : {}) }, "dependency unavailable");
  };
}

function toAppError(error: unknown, outage: ReturnType<typeof outageLog>, logger: Logger, req: Request): AppError {
  if (error instanceof AppError) return error;
  if (isInfrastructureError(error)) {
    outage(error as Error, req);
    return new AppError(503, "SERVICE_UNAVAILABLE", { message: "Latchkey cannot reach its database or cache right now. Try again in a moment." });
  }
  const status = (error as { status?: number; statusCode?: number })?.status ?? (error as { statusCode?: number })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Body-parser and similar: too large, malformed. Never echo their message.
    return new AppError(status, "BAD_REQUEST", { message: status === 413 ? "That request was too large." : "That request could not be read." });
  }
  logger.error({ err: error, path: loggablePath(req.path), method: req.method }, "unhandled error");
  return new AppError(500, "INTERNAL_ERROR", { message: "Something went wrong on our side. It has been logged." });
}
