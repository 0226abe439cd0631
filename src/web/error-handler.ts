import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../platform/logger.js";
import { AppError, isInfrastructureError, ValidationError } from "../platform/errors.js";
import { translateMessage, translatorFor } from "../platform/i18n.js";
import { localeOf } from "./i18n.js";
import { isHtmx, renderForm, renderFragment, renderPage, type FormContext } from "./render.js";
import { csrfTokenFor } from "./security.js";

// Titles are locale keys: common:errors.titles.<status> (else ….other).
const TITLED = new Set([400, 401, 403, 404, 413, 422, 429, 500, 503]);

// The one place errors become responses: a form fragment (htmx, 4xx), a
// re-rendered page (no JavaScript), JSON under /api, or an error page.
export function errorHandler(logger: Logger) {
  const outage = outageLog(logger);
  return async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.end();
    const appError = toAppError(error, outage, logger, req);
    const form = res.locals.form as FormContext | undefined;

    if (req.path.startsWith("/api/")) {
      // The API answers in English: clients branch on the code.
      return void res.status(appError.status).json({ error: { code: appError.code, message: translateMessage(englishT(), appError.message, appError.details), field: appError.field } });
    }
    if (form && appError.status < 500 && appError.status !== 403) {
      // Services and zod schemas give locale keys; they are translated here,
      // in the reader's language.
      const { t } = localeOf(req);
      const message = translateMessage(t, appError.message, appError.details);
      const errors =
        appError instanceof ValidationError
          ? Object.fromEntries(Object.entries(appError.fieldErrors).map(([field, text]) => [field, translateMessage(t, text, appError.fieldVars[field])]))
          : appError.field
            ? { [appError.field]: message }
            : {};
      const formError = appError instanceof ValidationError || appError.field ? undefined : message;
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
  const { t } = localeOf(req);
  const title = t(`common:errors.titles.${TITLED.has(appError.status) ? appError.status : "other"}`);
  const data = { title, message: translateMessage(t, appError.message, appError.details), status: appError.status };
  if (isHtmx(req)) {
    // An htmx request that failed outside a form: show the error in the main
    // area instead of swapping it into whatever element asked.
    res.setHeader("HX-Retarget", "#main");
    res.setHeader("HX-Reswap", "innerHTML");
    return renderFragment(res, "errors/error", data, appError.status);
  }
  renderPage(res, "errors/error", data, appError.status);
}
let english: ReturnType<typeof translatorFor> | undefined;
function englishT() {
  return (english ??= translatorFor("en"));
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
    return new AppError(503, "SERVICE_UNAVAILABLE", { message: "common:errors.unavailable" });
  }
  const status = (error as { status?: number; statusCode?: number })?.status ?? (error as { statusCode?: number })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Body-parser and similar: too large, malformed. Never echo their message.
    return new AppError(status, "BAD_REQUEST", { message: status === 413 ? "common:errors.tooLarge" : "common:errors.unreadable" });
  }
  logger.error({ err: error, path: loggablePath(req.path), method: req.method }, "unhandled error");
  return new AppError(500, "INTERNAL_ERROR", { message: "common:errors.internal" });
}
