import { z } from "zod";
import { normaliseAllowList, splitAllowListText } from "./ip-allow-list.js";
import { tokenScopes } from "./scopes.js";

// One set of input rules for the settings page, the admin page and the API.
// The forms' fields are first mapped to the API's shape (formToTokenInput),
// then parsed by the same schemas.

export const tokenNameSchema = z
  .string({ error: "tokens:validation.name" })
  .trim()
  .min(1, "tokens:validation.name")
  .max(64, "tokens:validation.nameLong")
  .describe("A label that says what the token is for.");

export const scopesSchema = z
  .array(z.enum(tokenScopes, { error: (issue) => `Unknown scope ${JSON.stringify(issue.input)}. Choose from ${tokenScopes.join(", ")}.` }), {
    error: "tokens:validation.scopesList",
  })
  .min(1, "tokens:validation.scopeRequired")
  .max(tokenScopes.length)
  .transform((scopes) => [...new Set(scopes)])
  .describe("What the token may do.");

export const ipAllowListSchema = z
  .array(z.string({ error: "tokens:validation.entryString" }).max(100, "tokens:validation.entryLong"), { error: "tokens:validation.allowList" })
  .max(100, "tokens:validation.tooMany")
  .transform((entries, ctx) => {
    const result = normaliseAllowList(entries);
    if (result.ok) return result.entries;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  })
  .describe("IPv4/IPv6 addresses and CIDR ranges allowed to use the token; empty allows any address.");

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

// A date alone means 00:00 UTC that day; a date-time needs its offset. Whether
// it is in the future and at most 10 years away is the service's check (it
// depends on the clock).
export const expiresAtSchema = z
  .string({ error: "tokens:validation.expires" })
  .trim()
  .max(40, "tokens:validation.dateLike")
  .refine((text) => (DATE_ONLY.test(text) || z.iso.datetime({ offset: true }).safeParse(text).success) && !Number.isNaN(Date.parse(text)), "tokens:validation.dateOrDateTime")
  .transform((text) => new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text))
  .describe("When the token stops working: a date (00:00 UTC) or an ISO 8601 date-time, in the future and at most 10 years away. Default: 90 days from now.");

export const createTokenSchema = z.object({
  name: tokenNameSchema,
  scopes: scopesSchema.optional(),
  ipAllowList: ipAllowListSchema.optional(),
  expiresAt: expiresAtSchema.optional(),
});
export type CreateTokenInput = z.output<typeof createTokenSchema>;

// Modify changes the name, allow-list and expiry; never the secret or scopes.
export const modifyTokenSchema = z.object({
  name: tokenNameSchema.optional(),
  ipAllowList: ipAllowListSchema.optional(),
  expiresAt: expiresAtSchema.optional(),
});
export type ModifyTokenInput = z.output<typeof modifyTokenSchema>;

export const tokenIdParams = z.object({ id: z.uuid() });

// The HTML forms: scopes are checkboxes (one value or many), the allow-list
// a textarea, an empty date means "the default".
export function formToTokenInput(body: unknown): Record<string, unknown> {
  const form = (body ?? {}) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  if (form.name !== undefined) input.name = form.name;
  if (form.scopes !== undefined) input.scopes = Array.isArray(form.scopes) ? form.scopes : [form.scopes];
  if (typeof form.ipAllowList === "string") input.ipAllowList = splitAllowListText(form.ipAllowList);
  if (typeof form.expiresAt === "string" && form.expiresAt.trim() !== "") input.expiresAt = form.expiresAt;
  return input;
}
