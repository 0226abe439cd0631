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
