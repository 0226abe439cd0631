import { pino, type Logger } from "pino";

export type { Logger };

// Secrets never reach the log: request bodies are not logged, and these paths
// are redacted wherever they appear in a logged object.
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ["password", "*.password", "token", "*.token", "code", "*.code", "req.headers.cookie", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}

// A crash is still one JSON line (with its stack) before the process exits,
// as Node would exit anyway; the supervisor restarts it.
export function logCrashes(logger: Logger): void {
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection");
    process.exit(1);
  });
}
