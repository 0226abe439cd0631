import type { z } from "zod";
import { ValidationError } from "../platform/errors.js";

// Parses a body/query/params object; unknown fields are dropped by zod objects.
// Every failing field gets one message, shown next to that field.
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "_form");
    fieldErrors[field] ??= issue.message;
  }
  throw new ValidationError(fieldErrors);
}
