import type { NextFunction, Request, Response } from "express";
import { AppError, isInfrastructureError, ValidationError } from "../../platform/errors.js";
import { translateMessage, translatorFor } from "../../platform/i18n.js";
import type { Logger } from "../../platform/logger.js";

// The API's own error handler: whatever fails, the answer is JSON
// { error: { code, message, field? } }, never an HTML page.
export function apiErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.end();
    const appError = toApiError(error, logger, req);
    if (appError.status === 401) {
      const invalid = appError.code !== "UNAUTHENTICATED" && appError.code !== "INVALID_AUTHORIZATION";
      res.setHeader("WWW-Authenticate", `Bearer realm="latchkey"${invalid ? ', error="invalid_token"' : ""}`);
    }
    if (appError.status === 503) res.setHeader("Retry-After", "5");
    res.status(appError.status).json({ error: errorBody(appError) });
  };
}

// Messages may be locale keys (shared services and schemas): the API answers in English.
const english = translatorFor("en");

function errorBody(appError: AppError) {
  if (appError instanceof ValidationError) {
    const fields = Object.fromEntries(Object.entries(appError.fieldErrors).map(([name, text]) => [name, translateMessage(english, text, appError.fieldVars[name])]));
    const [field, message] = Object.entries(fields)[0] ?? ["_form", "The request is not valid."];
    return { code: appError.code, message, field, fields };
  }
  return { code: appError.code, message: translateMessage(english, appError.message, appError.details), ...(appError.field ? { field: appError.field } : {}) };
}

function toApiError(error: unknown, logger: Logger, req: Request): AppError {
  if (error instanceof AppError) return error;
  if (isInfrastructureError(error)) {
    logger.warn({ err: (error as Error).message }, "dependency unavailable (api)");
    return new AppError(503, "SERVICE_UNAVAILABLE", { message: "The service cannot reach its database or cache right now. Try again in a moment." });
  }
  // body-parser's errors: never echo their message.
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === "entity.too.large") return new AppError(413, "PAYLOAD_TOO_LARGE", { field: "body", message: "The request body is too large (at most 16 KB)." });
  if (type === "entity.parse.failed") return new AppError(400, "INVALID_JSON", { field: "body", message: "The request body is not valid JSON." });
  if (type === "charset.unsupported" || type === "encoding.unsupported") {
    return new AppError(415, "UNSUPPORTED_MEDIA_TYPE", { field: "content-type", message: "Send the body as UTF-8 application/json." });
  }
  if (typeof status === "number" && status >= 400 && status < 500) return new AppError(status, "BAD_REQUEST", { message: "The request could not be read." });
  logger.error({ err: error, method: req.method, path: req.baseUrl + req.path }, "unhandled error (api)");
  return new AppError(500, "INTERNAL_ERROR", { message: "Something went wrong on our side. It has been logged." });
}
