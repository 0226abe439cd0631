import { z } from "zod";
import { providerKinds } from "./tables.js";

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");

const slugPattern = /^[a-z0-9][a-z0-9-]{1,31}$/;

export const providerSlugParams = z.object({ slug: z.string().regex(slugPattern) });

const common = {
  name: z.string({ error: "identities:validation.name" }).trim().min(1, "identities:validation.name").max(64, "identities:validation.nameTooLong"),
  clientId: z.string({ error: "identities:validation.clientId" }).trim().min(1, "identities:validation.clientId").max(255, "identities:validation.clientIdTooLong"),
  signInEnabled: checkbox,
  linkingEnabled: checkbox,
};

// A new provider. GitHub and Discord have fixed slugs; an OIDC provider is
// named by the administrator and found by discovery from its issuer.
export const newProviderBody = z
  .object({
    kind: z.enum(providerKinds, { error: "identities:validation.kind" }),
    slug: z.string().trim().max(32).optional(),
    issuer: z.string().trim().max(500).optional(),
    clientSecret: z.string({ error: "identities:validation.clientSecret" }).min(1, "identities:validation.clientSecret").max(1000, "identities:validation.secretTooLong"),
    ...common,
  })
  .superRefine((input, ctx) => {
    if (input.kind !== "oidc") return;
    if (!input.slug || !slugPattern.test(input.slug) || input.slug === "github" || input.slug === "discord") {
      ctx.addIssue({ code: "custom", path: ["slug"], message: "identities:validation.slug" });
    }
    if (!input.issuer || !URL.canParse(input.issuer)) ctx.addIssue({ code: "custom", path: ["issuer"], message: "identities:errors.issuerInvalid" });
  });
export type NewProviderInput = z.infer<typeof newProviderBody>;

// Changes to a provider; an empty secret keeps the stored one (it is never shown).
export const providerUpdateBody = z.object({
  issuer: z.string().trim().max(500).optional(),
  clientSecret: z.string().max(1000, "identities:validation.secretTooLong").optional(),
  ...common,
});
export type ProviderUpdateInput = z.infer<typeof providerUpdateBody>;

export const startBody = z.object({ return_to: z.string().max(2000).optional() });
