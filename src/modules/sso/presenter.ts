import type { Config } from "../../config.js";
import type { ConnectionReport } from "./service.js";
import { callbackUrl } from "./service.js";
import type { SsoConfig } from "./tables.js";

// The settings form's values: the secret is never shown back, only whether one is stored.
export function presentSettings(config: SsoConfig | undefined, requireSso: boolean) {
  return {
    configured: Boolean(config),
    values: {
      issuer: config?.issuer ?? "",
      clientId: config?.clientId ?? "",
      allowedDomains: (config?.allowedDomains ?? []).join(", "),
      defaultRole: config?.defaultRole ?? "member",
      requireSso: requireSso ? "on" : "",
      trustProviderMfa: config?.trustProviderMfa ? "on" : "",
    },
  };
}

export function presentRedirectUri(config: Pick<Config, "baseUrl">, slug: string): string {
  return callbackUrl(config, slug);
}

export function presentReport(report: ConnectionReport | null) {
  if (!report) return null;
  return report.ok
    ? { ok: true, issuer: report.issuer, authorizationEndpoint: report.authorizationEndpoint, tokenEndpoint: report.tokenEndpoint, message: "sso:test.ok" }
    : { ok: false, message: `oidc:errors.${report.code}`, code: report.code, hint: report.hint ?? null };
}
