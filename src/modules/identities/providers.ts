import type { Config } from "../../config.js";
import { createSecretBox, type SecretBox } from "../../platform/crypto/secret-box.js";
import * as openid from "openid-client";
import { discoverProvider, fetchProtectedJson, oauth2Provider, OidcError, type AuthorizationResult, type OidcProvider } from "../../platform/oidc.js";
import type { IdentityProvider, ProviderKind } from "./tables.js";

// How each kind of sign-in provider is reached and how it describes a person.
// GitHub and Discord are plain OAuth 2 with their documented endpoints (base
// URLs from config, so tests use loopback stand-ins); "oidc" is any OpenID
// provider found by discovery from its issuer.

export const kindLabels: Record<ProviderKind, string> = { github: "GitHub", discord: "Discord", oidc: "OpenID Connect" };

// The client secret at rest: sealed under SECRET_KEY for this purpose only.
export const clientSecretBox = (config: Pick<Config, "secretKey">): SecretBox => createSecretBox(config.secretKey, "identity-provider-client-secret");

export function redirectUriFor(config: Pick<Config, "baseUrl">, provider: Pick<IdentityProvider, "slug">): string {
  return `${config.baseUrl}/auth/providers/${provider.slug}/callback`;
}

const scopes: Record<ProviderKind, string> = { github: "read:user user:email", discord: "identify email", oidc: "openid email profile" };

export const scopeOf = (kind: ProviderKind) => scopes[kind];

type ProviderConfig = Pick<Config, "secretKey" | "providers">;

function endpointsOf(config: ProviderConfig, kind: "github" | "discord") {
  const { githubUrl, githubApiUrl, discordUrl } = config.providers;
  return kind === "github"
    ? { issuer: "https://github.com", authorizationEndpoint: `${githubUrl}/login/oauth/authorize`, tokenEndpoint: `${githubUrl}/login/oauth/access_token` }
    : { issuer: "https://discord.com", authorizationEndpoint: `${discordUrl}/oauth2/authorize`, tokenEndpoint: `${discordUrl}/api/oauth2/token` };
}

// An openid-client configuration for a stored provider (discovery for OIDC:
// one request to the issuer, under the same time limit as every other).
export async function clientFor(config: ProviderConfig, provider: IdentityProvider): Promise<OidcProvider> {
  const credentials = { clientId: provider.clientId, clientSecret: clientSecretBox(config).open(provider.clientSecretSealed), timeoutSeconds: config.providers.timeoutMs / 1000 };
  if (provider.kind === "oidc") return discoverProvider(provider.issuer ?? "", credentials);
  const client = oauth2Provider(endpointsOf(config, provider.kind), credentials);
  if (provider.kind === "github") client.configuration[openid.customFetch] = githubTokenErrors;
  return client;
}

// GitHub answers a refused code with 200 and an error body; as any OAuth 2
// server would, it becomes a 400 here, and its "bad_verification_code"
// (expired, used or unknown) is the standard "invalid_grant", so it reads as
// "the provider refused the sign-in code".
async function githubTokenErrors(url: string, options: openid.CustomFetchOptions): Promise<Response> {
  const response = await fetch(url, options as RequestInit);
  if (response.status !== 200 || options.method !== "POST" || !(response.headers.get("content-type") ?? "").includes("json")) return response;
  const body = (await response.clone().json().catch(() => null)) as { error?: unknown } | null;
  if (!body || typeof body.error !== "string") return response;
  const error = body.error === "bad_verification_code" ? "invalid_grant" : body.error;
  return new Response(JSON.stringify({ ...body, error }), { status: 400, headers: { "content-type": "application/json" } });
}

// What Latchkey keeps of a person at a provider: the stable subject (never
// the email) and what the connections page shows.
export interface ProviderProfile {
  subject: string;
  login: string | null;
  email: string | null;
  // Only a verified address may name a new account.
  emailVerified: boolean;
  avatarUrl: string | null;
}

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, 254) : null);
const httpsUrl = (value: unknown): string | null => {
  const candidate = text(value);
  return candidate && /^https:\/\//.test(candidate) ? candidate.slice(0, 500) : null;
};

export async function readProfile(config: ProviderConfig, kind: ProviderKind, client: OidcProvider, result: AuthorizationResult): Promise<ProviderProfile> {
  if (kind === "oidc") {
    const claims = result.claims;
    return {
      subject: result.subject!,
      login: text(claims.preferred_username) ?? text(claims.name),
      email: text(claims.email),
      emailVerified: claims.email_verified === true,
      avatarUrl: httpsUrl(claims.picture),
    };
  }
  if (kind === "github") {
    const api = config.providers.githubApiUrl;
    const user = (await fetchProtectedJson(client, result.accessToken, `${api}/user`, { accept: "application/vnd.github+json" })) as Record<string, unknown>;
    const emails = (await fetchProtectedJson(client, result.accessToken, `${api}/user/emails`, { accept: "application/vnd.github+json" })) as unknown;
    const primary = Array.isArray(emails) ? (emails as Array<Record<string, unknown>>).find((entry) => entry.primary === true) : undefined;
    const id = user.id;
    if (typeof id !== "number" && typeof id !== "string") throw new OidcError("OIDC_INVALID_RESPONSE", "no user id");
    return {
      subject: String(id),
      login: text(user.login),
      email: text(primary?.email) ?? text(user.email),
      emailVerified: primary?.verified === true,
      avatarUrl: httpsUrl(user.avatar_url),
    };
  }
  const user = (await fetchProtectedJson(client, result.accessToken, `${config.providers.discordUrl}/api/users/@me`)) as Record<string, unknown>;
  const id = text(user.id);
  if (!id) throw new OidcError("OIDC_INVALID_RESPONSE", "no user id");
  const avatar = text(user.avatar);
  return {
    subject: id,
    login: text(user.username),
    email: text(user.email),
    emailVerified: user.verified === true,
    avatarUrl: avatar && /^[\w]+$/.test(avatar) ? `https://cdn.discordapp.com/avatars/${id}/${avatar}.png` : null,
  };
}
