import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  discoverProvider,
  finishAuthorization,
  oauth2Provider,
  OidcError,
  startAuthorization,
  type OidcErrorCode,
  type OidcProvider,
  type PendingAuthorization,
} from "../../src/platform/oidc.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";

// platform/oidc.ts against a real oidc-provider: every failure has its own code.
const redirectUri = "http://127.0.0.1:9/callback";
const credentials = { clientId: "app", clientSecret: "app-secret-value", timeoutSeconds: 1 };
let op: TestOidcProvider;
let provider: OidcProvider;

async function started(): Promise<{ url: string; pending: PendingAuthorization }> {
  return startAuthorization(provider, { redirectUri, scope: "openid email profile" });
}

async function failure(promise: Promise<unknown>): Promise<OidcErrorCode> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(OidcError);
  // No secret in what a route could show or log.
  expect(JSON.stringify({ message: (error as Error).message, hint: (error as OidcError).hint })).not.toMatch(/app-secret-value|code=/);
  expect((error as Error).cause).toBeUndefined();
  return (error as OidcError).code;
}

beforeAll(async () => {
  op = await startOidcProvider({
    clients: [{ client_id: "app", client_secret: "app-secret-value", redirect_uris: [redirectUri] }],
    accounts: [{ sub: "alice-sub", email: "alice@corp.example", email_verified: true, name: "Alice", amr: ["pwd", "mfa"], acr: "urn:test:mfa" }],
  });
  provider = await discoverProvider(op.issuer, credentials);
});
afterAll(() => op.stop());

describe("platform/oidc", () => {
  it("runs a code flow with PKCE S256, state and nonce and returns the claims", async () => {
    const { url, pending } = await started();
    const sent = new URL(url).searchParams;
    expect(sent.get("code_challenge_method")).toBe("S256");
    expect(sent.get("state")).toBe(pending.state);
    expect(sent.get("nonce")).toBe(pending.nonce);
    const result = await finishAuthorization(provider, await op.authorize(url, "alice@corp.example"), pending);
    expect(result).toMatchObject({ issuer: op.issuer, subject: "alice-sub" });
    expect(result.claims).toMatchObject({ email: "alice@corp.example", email_verified: true, name: "Alice", amr: ["pwd", "mfa"], acr: "urn:test:mfa", aud: "app" });
  });

  it("refuses a tampered or missing state", async () => {
    const { url, pending } = await started();
    const callback = new URL(await op.authorize(url, "alice-sub"));
    callback.searchParams.set("state", "forged");
    expect(await failure(finishAuthorization(provider, callback, pending))).toBe("OIDC_STATE_MISMATCH");
    expect(await failure(finishAuthorization(provider, callback, undefined))).toBe("OIDC_STATE_MISMATCH");
  });

  it("refuses an ID token whose nonce is wrong or missing", async () => {
    for (const change of [(params: URLSearchParams) => params.set("nonce", "other-nonce"), (params: URLSearchParams) => params.delete("nonce")]) {
      const { url, pending } = await started();
      const altered = new URL(url);
      change(altered.searchParams);
      expect(await failure(finishAuthorization(provider, await op.authorize(altered.href, "alice-sub"), pending))).toBe("OIDC_NONCE_MISMATCH");
    }
  });

  it("refuses a code without the right PKCE verifier", async () => {
    const { url, pending } = await started();
    const callback = await op.authorize(url, "alice-sub");
    expect(await failure(finishAuthorization(provider, callback, { ...pending, codeVerifier: "x".repeat(43) }))).toBe("OIDC_CODE_REJECTED");
    // The provider refuses an authorization request without a challenge at all.
    const bare = new URL(url);
    bare.searchParams.delete("code_challenge");
    bare.searchParams.delete("code_challenge_method");
    const refused = new URL(await op.authorize(bare.href, "alice-sub"));
    expect(refused.searchParams.get("error")).toBe("invalid_request");
  });

  it("refuses a reused or expired code", async () => {
    const first = await started();
    const callback = await op.authorize(first.url, "alice-sub");
    await finishAuthorization(provider, callback, first.pending);
    expect(await failure(finishAuthorization(provider, callback, first.pending))).toBe("OIDC_CODE_REJECTED");

    const second = await started();
    const late = await op.authorize(second.url, "alice-sub");
    op.expireCodes();
    expect(await failure(finishAuthorization(provider, late, second.pending))).toBe("OIDC_CODE_REJECTED");
  });

  it("refuses issuer mix-ups: a foreign iss response parameter, a pending flow of another provider, an ID token for another issuer or audience", async () => {
    const { url, pending } = await started();
    const callback = new URL(await op.authorize(url, "alice-sub"));
    callback.searchParams.set("iss", "https://evil.example");
    expect(await failure(finishAuthorization(provider, callback, pending))).toBe("OIDC_ISSUER_MISMATCH");
    expect(await failure(finishAuthorization(provider, callback, { ...pending, issuer: "https://other.example" }))).toBe("OIDC_ISSUER_MISMATCH");

    try {
      op.tamperIdTokens({ iss: "https://evil.example" });
      const a = await started();
      expect(await failure(finishAuthorization(provider, await op.authorize(a.url, "alice-sub"), a.pending))).toBe("OIDC_ISSUER_MISMATCH");
      op.tamperIdTokens({ aud: "another-client" });
      const b = await started();
      expect(await failure(finishAuthorization(provider, await op.authorize(b.url, "alice-sub"), b.pending))).toBe("OIDC_AUDIENCE_MISMATCH");
    } finally {
      op.tamperIdTokens(null);
    }
  });

  it("reports a denied authorization and a wrong client secret", async () => {
    const { pending } = await started();
    const denied = new URL(redirectUri);
    denied.search = new URLSearchParams({ error: "access_denied", state: pending.state, iss: op.issuer }).toString();
    expect(await failure(finishAuthorization(provider, denied, pending))).toBe("OIDC_PROVIDER_DENIED");

    const wrong = await discoverProvider(op.issuer, { ...credentials, clientSecret: "wrong-secret" });
    const flow = await startAuthorization(wrong, { redirectUri, scope: "openid" });
    expect(await failure(finishAuthorization(wrong, await op.authorize(flow.url, "alice-sub"), flow.pending))).toBe("OIDC_INVALID_CLIENT");
  });

  it("reports a provider that is down, slow, or not an OpenID provider", async () => {
    await op.down();
    try {
      expect(await failure(discoverProvider(op.issuer, credentials))).toBe("OIDC_PROVIDER_UNREACHABLE");
    } finally {
      await op.up();
    }
    op.slow(2500);
    try {
      expect(await failure(discoverProvider(op.issuer, credentials))).toBe("OIDC_PROVIDER_TIMEOUT");
    } finally {
      op.slow(0);
    }
    const plain = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>"));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    try {
      const port = (plain.address() as AddressInfo).port;
      expect(await failure(discoverProvider(`http://127.0.0.1:${port}`, credentials))).toBe("OIDC_BAD_METADATA");
    } finally {
      plain.close();
    }
    expect(await failure(discoverProvider("http://idp.example.com", credentials))).toBe("OIDC_INSECURE_URL");
  });

  it("builds a plain OAuth 2 provider from explicit endpoints (no nonce, no ID token needed)", async () => {
    const meta = provider.configuration.serverMetadata();
    const oauth = oauth2Provider(
      { issuer: op.issuer, authorizationEndpoint: meta.authorization_endpoint!, tokenEndpoint: meta.token_endpoint! },
      { ...credentials, tokenEndpointAuth: "client_secret_basic" },
    );
    const { url, pending } = await startAuthorization(oauth, { redirectUri, scope: "email" });
    expect(pending.nonce).toBeUndefined();
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    const result = await finishAuthorization(oauth, await op.authorize(url, "alice-sub"), pending);
    expect(result.accessToken).toBeTruthy();
    expect(result.subject).toBeUndefined();
  });
});
