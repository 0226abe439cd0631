import { z } from "zod";
import { declaredEventTypes } from "./events.js";

// The filters every activity view accepts (the three pages, their CSV and
// GET /api/v1/audit-events). Blank strings are what an HTML form sends for an
// unused field, so they mean "no filter". Dates are UTC days, inclusive.

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRealDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const day = (field: string) =>
  z
    .string()
    .max(10, `${field} must be a date like 2026-01-31.`)
    .refine((value) => value === "" || isRealDay(value), `${field} must be a date like 2026-01-31.`)
    .optional()
    .describe("A UTC day, YYYY-MM-DD (inclusive).");

export const activityFilterShape = {
  type: z
    .string()
    .max(100, "audit:pages.typeInvalid")
    .refine((value) => value === "" || declaredEventTypes().includes(value), "audit:pages.typeInvalid")
    .optional()
    .describe("One event type from the catalogue, e.g. auth.signed_in."),
  person: z.string().max(64, "person must be a username (at most 64 characters).").optional().describe("A username: events that person did or that happened to them."),
  from: day("from"),
  to: day("to"),
  cursor: z.string().regex(/^\d{1,18}$/, "cursor must be a value from nextCursor.").optional().describe("The nextCursor of the previous page."),
};

type FilterInput = { type?: string; person?: string; from?: string; to?: string; cursor?: string };

// "from" after "to" can only be a mistake: say so next to "to".
export function checkDateRange(input: FilterInput, context: z.RefinementCtx): void {
  if (input.from && input.to && isRealDay(input.from) && isRealDay(input.to) && input.from > input.to) {
    context.addIssue({ code: "custom", path: ["to"], message: "to must be on or after from." });
  }
}

export const activityFilterSchema = z.object(activityFilterShape).superRefine(checkDateRange);

export interface ActivityFilters {
  type?: string;
  person?: string;
  from?: Date;
  // Exclusive: the day after the chosen "to" day.
  until?: Date;
  beforeId?: number;
}

export function toActivityFilters(input: FilterInput): ActivityFilters {
  const dayAfter = (value: string) => new Date(new Date(`${value}T00:00:00Z`).getTime() + 86_400_000);
  return {
    type: input.type || undefined,
    person: input.person?.trim() || undefined,
    from: input.from ? new Date(`${input.from}T00:00:00Z`) : undefined,
    until: input.to ? dayAfter(input.to) : undefined,
    beforeId: input.cursor ? Number(input.cursor) : undefined,
  };
}
