import { z } from "zod";
import { ssoDefaultRoles } from "./tables.js";

const checkbox = z.literal("on").optional().transform((value) => value === "on");

const domainList = z
  .string()
  .max(2000, "sso:validation.domains")
  .transform((value) => [...new Set(value.split(/[\s,;]+/).map((domain) => domain.trim().toLowerCase().replace(/^@/, "")).filter(Boolean))])
  .pipe(
    z
      .array(z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "sso:validation.domains"))
      .min(1, "sso:validation.domainsRequired")
      .max(50, "sso:validation.domains"),
  );

// The settings form. An empty client secret keeps the stored one (it is
// never shown back); it is required the first time.
export const ssoSettingsSchema = z.object({
  issuer: z
    .string()
    .trim()
    .min(1, "common:validation.required")
    .max(500, "common:validation.tooLong")
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "https:" || url.protocol === "http:") && !url.search && !url.hash && !url.username && !url.password;
      } catch {
        return false;
      }
    }, "sso:validation.issuer"),
  clientId: z.string().trim().min(1, "common:validation.required").max(500, "common:validation.tooLong"),
  clientSecret: z.string().max(2000, "common:validation.tooLong").optional().default(""),
  allowedDomains: domainList,
  defaultRole: z.enum(ssoDefaultRoles, { error: "common:validation.invalid" }),
  requireSso: checkbox,
  trustProviderMfa: checkbox,
});
export type SsoSettingsInput = z.infer<typeof ssoSettingsSchema>;

export const ssoEmailSchema = z.object({
  email: z.email({ error: "common:validation.email" }).max(320, "common:validation.tooLong"),
  return_to: z.string().max(2000).optional(),
});

export const returnToSchema = z.object({ return_to: z.string().max(2000).optional() });
export const slugParams = z.object({ slug: z.string().max(64) });
