import { z } from "zod";
import { providerKinds } from "./tables.js";

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");

const slugPattern = /^[a-z0-9][a-z0-9-]{1,31}$/;

export const providerSlugParams = z.object({ slug: z.string().regex(slugPattern) });

const common = {
  name: z.string({ error: "Enter a name." }).trim().min(1, "Enter a name.").max(64, "Use at most 64 characters."),
  clientId: z.string({ error: "Enter the client ID." }).trim().min(1, "Enter the client ID.").max(255, "That client ID is too long."),
  signInEnabled: checkbox,
  linkingEnabled: checkbox,
};

// A new provider. GitHub and Discord have fixed slugs; an OIDC provider is
// named by the administrator and found by discovery from its issuer.
export const newProviderBody = z
  .object({
    kind: z.enum(providerKinds, { error: "Choose GitHub, Discord or OpenID Connect." }),
    slug: z.string().trim().max(32).optional(),
    issuer: z.string().trim().max(500).optional(),
    clientSecret: z.string({ error: "Enter the client secret." }).min(1, "Enter the client secret.").max(1000, "That client secret is too long."),
    ...common,
  })
  .superRefine((input, ctx) => {
    if (input.kind !== "oidc") return;
    if (!input.slug || !slugPattern.test(input.slug) || input.slug === "github" || input.slug === "discord") {
      ctx.addIssue({ code: "custom", path: ["slug"], message: "Use 2 to 32 lowercase letters, digits and -, not github or discord." });
    }
    if (!input.issuer || !URL.canParse(input.issuer)) ctx.addIssue({ code: "custom", path: ["issuer"], message: "Enter the issuer URL, such as https://accounts.example.com." });
  });
export type NewProviderInput = z.infer<typeof newProviderBody>;

// Changes to a provider; an empty secret keeps the stored one (it is never shown).
export const providerUpdateBody = z.object({
  issuer: z.string().trim().max(500).optional(),
  clientSecret: z.string().max(1000, "That client secret is too long.").optional(),
  ...common,
});
export type ProviderUpdateInput = z.infer<typeof providerUpdateBody>;

export const startBody = z.object({ return_to: z.string().max(2000).optional() });
