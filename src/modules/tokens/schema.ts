import { z } from "zod";
import { normaliseAllowList, splitAllowListText } from "./ip-allow-list.js";
import { tokenScopes } from "./scopes.js";

// One set of input rules for the settings page, the admin page and the API.
// The forms' fields are first mapped to the API's shape (formToTokenInput),
// then parsed by the same schemas.

export const tokenNameSchema = z
  .string({ error: "Enter a name for the token." })
  .trim()
  .min(1, "Enter a name for the token.")
  .max(64, "Use at most 64 characters.")
  .describe("A label that says what the token is for.");

export const scopesSchema = z
  .array(z.enum(tokenScopes, { error: (issue) => `Unknown scope ${JSON.stringify(issue.input)}. Choose from ${tokenScopes.join(", ")}.` }), {
    error: "Give the scopes as a list.",
  })
  .min(1, "Choose at least one scope.")
  .max(tokenScopes.length)
  .transform((scopes) => [...new Set(scopes)])
  .describe("What the token may do.");

export const ipAllowListSchema = z
  .array(z.string({ error: "Each entry must be a string." }).max(100, "That entry is too long."), { error: "Give the allowed addresses as a list." })
  .max(100, "Too many entries.")
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
  .string({ error: "Enter an expiration date." })
  .trim()
  .max(40, "Enter a date like 2030-01-31.")
  .refine((text) => (DATE_ONLY.test(text) || z.iso.datetime({ offset: true }).safeParse(text).success) && !Number.isNaN(Date.parse(text)), "Enter a date like 2030-01-31 or a date-time like 2030-01-31T12:00:00Z.")
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
