import * as client from "openid-client";
import { AppError } from "./errors.js";

// A thin wrapper over openid-client 6 for every "sign in somewhere else" flow
// (workspace SSO, GitHub/Discord/OIDC linked accounts). It keeps three
// promises: PKCE S256, state and (for OpenID Connect) nonce on every
// authorization; every failure becomes an OidcError with one stable code the
// routes turn into a clear message; no secret (client secret, code, tokens)
// ever reaches an error message or a log line, since errors are rebuilt here
// without the library's cause.

export type OidcErrorCode =
  | "OIDC_STATE_MISMATCH" // callback's state is not the one this browser session started
  | "OIDC_NONCE_MISMATCH" // ID token's nonce missing or not this session's
  | "OIDC_ISSUER_MISMATCH" // iss (response parameter or ID token) is not the configured issuer
  | "OIDC_AUDIENCE_MISMATCH" // ID token not issued to this client (aud/azp)
  | "OIDC_CODE_REJECTED" // invalid, expired or reused code, or a PKCE verifier that does not match
  | "OIDC_PROVIDER_DENIED" // the provider answered the callback with error=… (e.g. access_denied)
  | "OIDC_INVALID_CLIENT" // client id/secret refused by the token endpoint
  | "OIDC_INVALID_RESPONSE" // an answer we cannot use (missing ID token, bad claims, …)
  | "OIDC_BAD_METADATA" // discovery document missing, not JSON, or for another issuer
  | "OIDC_PROVIDER_UNREACHABLE" // connection refused/reset, DNS failure
  | "OIDC_PROVIDER_TIMEOUT" // no answer within the configured time
  | "OIDC_INSECURE_URL"; // plain http to anything but a loopback address

const statusOf: Record<OidcErrorCode, number> = {
  OIDC_STATE_MISMATCH: 400,
  OIDC_NONCE_MISMATCH: 400,
  OIDC_ISSUER_MISMATCH: 400,
  OIDC_AUDIENCE_MISMATCH: 400,
  OIDC_CODE_REJECTED: 400,
  OIDC_PROVIDER_DENIED: 400,
  OIDC_INVALID_CLIENT: 502,
  OIDC_INVALID_RESPONSE: 502,
  OIDC_BAD_METADATA: 502,
  OIDC_PROVIDER_UNREACHABLE: 502,
  OIDC_PROVIDER_TIMEOUT: 504,
  OIDC_INSECURE_URL: 422,
};

// Locale keys (locales/<lang>/oidc.json), translated where they are shown.
const messageOf = (code: OidcErrorCode) => `oidc:errors.${code}`;

export class OidcError extends AppError {
  declare readonly code: OidcErrorCode;
  // A short, secret-free hint for administrators (an OAuth error name such as
  // "invalid_grant", or which claim failed), never the provider's free text.
  readonly hint?: string;

  constructor(code: OidcErrorCode, hint?: string) {
    super(statusOf[code], code, { message: messageOf(code) });
    this.name = "OidcError";
    this.hint = hint;
  }
}

export const isOidcError = (error: unknown): error is OidcError => error instanceof OidcError;

// A provider we can run flows against: an openid-client Configuration plus
// whether it is OpenID Connect (ID token, nonce) or plain OAuth 2 (GitHub, Discord).
export interface OidcProvider {
  readonly kind: "oidc" | "oauth2";
  readonly issuer: string;
  readonly configuration: client.Configuration;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  // Seconds for each HTTP request to the provider (discovery, token, userinfo).
  timeoutSeconds?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 10;

// Plain HTTP is allowed for loopback only (tests, a provider on the same
// machine); everything else must be HTTPS, so a misconfigured issuer cannot
// send codes and secrets in clear text.
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseProviderUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OidcError("OIDC_BAD_METADATA", "not a URL");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackUrl(url)) return url;
  throw new OidcError("OIDC_INSECURE_URL");
}

// Client authentication at the token endpoint: client_secret_basic when the
// provider lists it (or lists nothing: RFC 8414's default), else client_secret_post.
function secretAuth(secret: string | undefined, preferred?: "client_secret_basic" | "client_secret_post"): client.ClientAuth {
  if (!secret) return client.None();
  return (as, metadata, body, headers) => {
    const supported = as.token_endpoint_auth_methods_supported;
    const method = preferred ?? (!supported || supported.includes("client_secret_basic") ? "client_secret_basic" : "client_secret_post");
    const auth = method === "client_secret_basic" ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret);
    return auth(as, metadata, body, headers);
  };
}

// Discovery of an OpenID Connect issuer (its /.well-known/openid-configuration).
// The metadata's issuer must equal the configured one (openid-client checks it).
export async function discoverProvider(issuer: string, credentials: ClientCredentials): Promise<OidcProvider> {
  const url = parseProviderUrl(issuer);
  try {
    const configuration = await client.discovery(url, credentials.clientId, undefined, secretAuth(credentials.clientSecret), {
      timeout: credentials.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      execute: url.protocol === "http:" ? [client.allowInsecureRequests] : [],
    });
    const metadata = configuration.serverMetadata();
    if (!metadata.authorization_endpoint || !metadata.token_endpoint) throw new OidcError("OIDC_BAD_METADATA", "endpoints missing");
    return { kind: "oidc", issuer: metadata.issuer, configuration };
  } catch (error) {
    throw toOidcError(error, "discovery");
  }
}

// A plain OAuth 2 provider from explicit endpoints (GitHub, Discord: no
// discovery, no ID token). `issuer` is a stable name for the provider, used as
// the identity's issuer when linking (e.g. "https://github.com").
export function oauth2Provider(
  endpoints: { issuer: string; authorizationEndpoint: string; tokenEndpoint: string; userinfoEndpoint?: string },
  credentials: ClientCredentials & { tokenEndpointAuth?: "client_secret_basic" | "client_secret_post" },
): OidcProvider {
  const urls = [endpoints.authorizationEndpoint, endpoints.tokenEndpoint, endpoints.userinfoEndpoint].filter((value): value is string => !!value).map(parseProviderUrl);
  const configuration = new client.Configuration(
    {
      issuer: endpoints.issuer,
      authorization_endpoint: endpoints.authorizationEndpoint,
      token_endpoint: endpoints.tokenEndpoint,
      userinfo_endpoint: endpoints.userinfoEndpoint,
    },
    credentials.clientId,
    undefined,
    secretAuth(credentials.clientSecret, credentials.tokenEndpointAuth ?? "client_secret_post"),
  );
  configuration.timeout = credentials.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (urls.some((url) => url.protocol === "http:")) client.allowInsecureRequests(configuration);
  return { kind: "oauth2", issuer: endpoints.issuer, configuration };
}

// What the browser session keeps between the redirect and the callback
// (through a sessionSlot). Only this session can finish the flow.
export interface PendingAuthorization {
  issuer: string;
  redirectUri: string;
  state: string;
  nonce?: string;
  codeVerifier: string;
}

export async function startAuthorization(
  provider: OidcProvider,
  options: { redirectUri: string; scope: string; params?: Record<string, string> },
): Promise<{ url: string; pending: PendingAuthorization }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = provider.kind === "oidc" ? client.randomNonce() : undefined;
  const url = client.buildAuthorizationUrl(provider.configuration, {
    ...options.params,
    redirect_uri: options.redirectUri,
    response_type: "code",
    scope: options.scope,
    state,
    ...(nonce ? { nonce } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
  });
  return { url: url.href, pending: { issuer: provider.issuer, redirectUri: options.redirectUri, state, nonce, codeVerifier } };
}

export interface AuthorizationResult {
  issuer: string;
  // The ID token's `sub` for OpenID Connect; undefined for plain OAuth 2
  // (the caller reads the user from the provider's API with the access token).
  subject?: string;
  // ID token claims merged with userinfo claims (ID token wins), OIDC only.
  claims: Record<string, unknown>;
  accessToken: string;
  scope?: string;
}

// Finishes the flow from the callback URL (as the browser arrived, query
// included): checks state, the issuer (RFC 9207 `iss` when sent, and the ID
// token's), nonce and audience, and exchanges the code with the PKCE verifier.
export async function finishAuthorization(provider: OidcProvider, callbackUrl: URL | string, pending: PendingAuthorization | undefined): Promise<AuthorizationResult> {
  // No pending flow in this session, or one started for another provider:
  // the callback cannot be ours (a forged, replayed or mixed-up response).
  if (!pending) throw new OidcError("OIDC_STATE_MISMATCH", "no pending authorization");
  if (pending.issuer !== provider.issuer) throw new OidcError("OIDC_ISSUER_MISMATCH", "pending authorization for another provider");
  const current = new URL(callbackUrl);
  // The token request must carry the redirect_uri used in the authorization
  // request exactly; rebuild it from the pending flow, keep only the query.
  const url = new URL(pending.redirectUri);
  url.search = current.search;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(provider.configuration, url, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      ...(provider.kind === "oidc" ? { expectedNonce: pending.nonce, idTokenExpected: true } : {}),
    });
  } catch (error) {
    throw toOidcError(error, "callback");
  }
  if (provider.kind === "oauth2") return { issuer: provider.issuer, claims: {}, accessToken: tokens.access_token, scope: tokens.scope };

  const idClaims = tokens.claims();
  if (!idClaims?.sub) throw new OidcError("OIDC_INVALID_RESPONSE", "no ID token");
  let claims: Record<string, unknown> = { ...idClaims };
  // Some providers put profile claims (email, name) only in userinfo.
  if (claims.email === undefined && provider.configuration.serverMetadata().userinfo_endpoint) {
    try {
      const info = await client.fetchUserInfo(provider.configuration, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims };
    } catch (error) {
      throw toOidcError(error, "userinfo");
    }
  }
  return { issuer: provider.issuer, subject: idClaims.sub, claims, accessToken: tokens.access_token, scope: tokens.scope };
}

// A JSON API call with the access token (GitHub's /user, Discord's /users/@me).
export async function fetchProtectedJson(provider: OidcProvider, accessToken: string, url: string, headers: Record<string, string> = {}): Promise<unknown> {
  try {
    const response = await client.fetchProtectedResource(provider.configuration, accessToken, parseProviderUrl(url), "GET", undefined, new Headers({ accept: "application/json", ...headers }));
    if (!response.ok) throw new OidcError(response.status === 401 || response.status === 403 ? "OIDC_INVALID_CLIENT" : "OIDC_INVALID_RESPONSE", `HTTP ${response.status}`);
    return await response.json();
  } catch (error) {
    throw toOidcError(error, "api");
  }
}

type Phase = "discovery" | "callback" | "userinfo" | "api";

// openid-client errors → one code. Checked against a real oidc-provider in
// test/platform/oidc.test.ts; the hint never carries values (codes, tokens).
export function toOidcError(error: unknown, phase: Phase): OidcError {
  if (error instanceof OidcError) return error;
  if (error instanceof SyntaxError) return new OidcError(phase === "discovery" ? "OIDC_BAD_METADATA" : "OIDC_INVALID_RESPONSE", "not JSON");
  if (error instanceof client.AuthorizationResponseError) return new OidcError("OIDC_PROVIDER_DENIED", safeName(error.error));
  if (error instanceof client.ResponseBodyError) {
    const name = safeName(error.error);
    if (name === "invalid_grant") return new OidcError("OIDC_CODE_REJECTED", name);
    if (name === "invalid_client" || name === "unauthorized_client") return new OidcError("OIDC_INVALID_CLIENT", name);
    return new OidcError("OIDC_INVALID_RESPONSE", name);
  }
  if (error instanceof client.WWWAuthenticateChallengeError) return new OidcError("OIDC_INVALID_CLIENT", "www-authenticate");
  if (isTimeout(error)) return new OidcError("OIDC_PROVIDER_TIMEOUT");
  if (isNetworkFailure(error)) return new OidcError("OIDC_PROVIDER_UNREACHABLE");

  const code = (error as { code?: string })?.code;
  const processing = (error as { cause?: unknown })?.cause;
  const message = processing instanceof Error ? processing.message : error instanceof Error ? error.message : "";
  const claim = ((processing as { cause?: { claim?: unknown } })?.cause?.claim ?? undefined) as string | undefined;

  if (code === "OAUTH_HTTP_REQUEST_FORBIDDEN" || code === "OAUTH_REQUEST_PROTOCOL_FORBIDDEN") return new OidcError("OIDC_INSECURE_URL");
  if (phase === "discovery") return new OidcError("OIDC_BAD_METADATA", code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED" ? "issuer differs" : shortCode(code));
  if (claim === "nonce") return new OidcError("OIDC_NONCE_MISMATCH", "nonce");
  if (claim === "iss") return new OidcError("OIDC_ISSUER_MISMATCH", "iss claim");
  if (claim === "aud" || claim === "azp") return new OidcError("OIDC_AUDIENCE_MISMATCH", claim);
  if (/"state"/.test(message)) return new OidcError("OIDC_STATE_MISMATCH", "state");
  if (/"iss" \(issuer\)/.test(message)) return new OidcError("OIDC_ISSUER_MISMATCH", "iss parameter");
  if (/nonce/.test(message)) return new OidcError("OIDC_NONCE_MISMATCH", "nonce");
  if (code === "OAUTH_RESPONSE_IS_NOT_CONFORM") return new OidcError("OIDC_INVALID_RESPONSE", "unexpected HTTP status");
  return new OidcError("OIDC_INVALID_RESPONSE", shortCode(code) ?? (claim ? `claim ${claim}` : undefined));
}

function isTimeout(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { name, code } = current as { name?: string; code?: string };
    if (name === "TimeoutError" || code === "OAUTH_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return true;
  }
  return false;
}

function isNetworkFailure(error: unknown): boolean {
  const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "OAUTH_ABORT"]);
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { code, message } = current as { code?: string; message?: string };
    if (code && networkCodes.has(code)) return true;
    if (current instanceof TypeError && message === "fetch failed") return true;
  }
  return false;
}

// OAuth error names are [a-z_] by spec; anything else is dropped.
const safeName = (value: unknown) => (typeof value === "string" && /^[a-z_]{1,40}$/.test(value) ? value : undefined);
const shortCode = (code: string | undefined) => (code && /^OAUTH_[A-Z_]+$/.test(code) ? code : undefined);
