import type { z } from "zod";
import { ValidationError } from "../platform/errors.js";

// Parses a body/query/params object; unknown fields are dropped by zod objects.
// Every failing field gets one message, shown next to that field.
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {}, { error: defaultMessage });
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  const fieldVars: Record<string, Record<string, unknown>> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "_form");
    if (fieldErrors[field] !== undefined) continue;
    const { key, vars } = messageOf(issue);
    fieldErrors[field] = key;
    if (vars) fieldVars[field] = vars;
  }
  throw new ValidationError(fieldErrors, fieldVars);
}

// Schemas give their own messages as locale keys ("ns:key"); zod's built-in
// English messages (no message in the schema) are replaced by common ones.
function defaultMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === "too_small") return Number(issue.minimum) <= 1 ? "common:validation.required" : "common:validation.tooShort";
  if (issue.code === "too_big") return "common:validation.tooLong";
  if (issue.code === "invalid_format" && issue.format === "email") return "common:validation.email";
  if (issue.code === "invalid_type" && issue.input === undefined) return "common:validation.required";
  return "common:validation.invalid";
}

function messageOf(issue: z.core.$ZodIssue): { key: string; vars?: Record<string, unknown> } {
  if (issue.code === "too_small") return { key: issue.message, vars: { minimum: Number(issue.minimum) } };
  if (issue.code === "too_big") return { key: issue.message, vars: { maximum: Number(issue.maximum) } };
  return { key: issue.message };
}
