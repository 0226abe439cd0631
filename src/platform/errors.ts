// One error type for every expected failure. Codes are UPPER_SNAKE and stable;
// handlers branch on the code, never on message text (Better Auth style).
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(status: number, code: string, options: { message?: string; field?: string; details?: Record<string, unknown> } = {}) {
    super(options.message ?? code);
    this.name = "AppError";
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

// Raised when a form's input fails validation; carries one message per field.
export class ValidationError extends AppError {
  // Messages are locale keys (translated by the error handler), with their
  // interpolation variables per field when they have any.
  readonly fieldErrors: Record<string, string>;
  readonly fieldVars: Record<string, Record<string, unknown>>;

  constructor(fieldErrors: Record<string, string>, fieldVars: Record<string, Record<string, unknown>> = {}) {
    super(422, "VALIDATION_FAILED");
    this.fieldErrors = fieldErrors;
    this.fieldVars = fieldVars;
  }
}

export const notFound = () => new AppError(404, "NOT_FOUND", { message: "common:errors.notFound" });

// Redis or PostgreSQL unreachable: the request gets a 503, never a crash and
// never anonymous access.
export function isInfrastructureError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const candidate = error as { code?: string; name?: string; message?: string; cause?: unknown };
  const networkCodes = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "57P01", "57P03", "08006", "08001", "08003"];
  if (candidate.code && networkCodes.includes(candidate.code)) return true;
  if (candidate.name === "MaxRetriesPerRequestError") return true;
  const message = candidate.message ?? "";
  if (/Connection is closed|Stream isn't writeable|enableOfflineQueue|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return true;
  }
  // A Redis Cluster losing a master or its slot map, or no sentinel answering.
  if (/^CLUSTERDOWN|^TRYAGAIN|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|All sentinels are unreachable/.test(message)) return true;
  return candidate.cause ? isInfrastructureError(candidate.cause) : false;
}

// PostgreSQL's unique_violation, optionally of one named index: the database
// is the last word on uniqueness when two requests race.
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const candidate = (error as { cause?: unknown })?.cause ?? error;
  const { code, constraint: name } = candidate as { code?: string; constraint?: string };
  return code === "23505" && (!constraint || name === constraint);
}
