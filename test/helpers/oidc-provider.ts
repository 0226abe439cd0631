import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from "oidc-provider";
import { HttpClient } from "./http-client.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

// A real OpenID provider (oidc-provider 9) on a loopback port for SSO and
// linked-account tests. It sits behind a TCP proxy so a test can take it
// down and bring it back on the same issuer URL, can answer slowly, can
// expire the codes it issued, and can sign ID tokens with a wrong issuer or
// audience (mix-up tests). Sign-in is a one-field form (`login` = the
// account's sub or email) and consent is automatic, so an HTTP client
// (authorize()) or Chromium completes a flow by posting that form.

export interface TestOidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  // Authentication methods/context the provider claims for the login (ID token amr/acr).
  amr?: string[];
  acr?: string;
}

export interface TestOidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface TestOidcProvider {
  issuer: string;
  setAccount(account: TestOidcAccount): void;
  // Registers another client while running (kept by the adapter, like a
  // dynamically registered client).
  addClient(client: TestOidcClient): void;
  // Follows an authorization URL (from the app) through the login form as
  // `login` and returns the redirect back to the client (code + state +
  // iss), without following it, so a test can deliver, alter or replay it.
  authorize(authorizationUrl: string, login: string): Promise<string>;
  // Every request waits this long before the provider answers (0: off).
  slow(delayMs: number): void;
  down(): Promise<void>;
  up(): Promise<void>;
  // Codes already issued count as expired from now on.
  expireCodes(): void;
  // ID tokens issued from now on carry these iss/aud instead of the real ones (null: off).
  tamperIdTokens(changes: { iss?: string; aud?: string } | null): void;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: {
  clients: TestOidcClient[];
  accounts?: TestOidcAccount[];
}): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestOidcAccount>();
  for (const account of options.accounts ?? []) accounts.set(account.sub, account);
  const findLogin = (login: string) => accounts.get(login) ?? [...accounts.values()].find((account) => account.email === login);

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };
  const stores = new Map<string, Map<string, AdapterPayload>>();
  let tamper: { iss?: string; aud?: string } | null = null;
  let delayMs = 0;

  // The issuer is the proxy's address: it must be fixed before the provider exists.
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: TcpProxy = await startTcpProxy("127.0.0.1", (server.address() as AddressInfo).port);
  const issuer = `http://127.0.0.1:${proxy.port}`;

  class MapAdapter implements Adapter {
    private readonly store: Map<string, AdapterPayload>;
    constructor(private readonly model: string) {
      this.store = stores.get(model) ?? new Map();
      stores.set(model, this.store);
    }
    async upsert(id: string, payload: AdapterPayload) {
      this.store.set(id, { ...payload });
    }
    async find(id: string) {
      const payload = this.store.get(id);
      if (!payload) return undefined;
      return payload;
    }
    async findByUserCode() {
      return undefined;
    }
    async findByUid(uid: string) {
      return [...this.store.values()].find((payload) => payload.uid === uid);
    }
    async consume(id: string) {
      const payload = this.store.get(id);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      this.store.delete(id);
    }
    async revokeByGrantId(grantId: string) {
      for (const [id, payload] of this.store) if (payload.grantId === grantId) this.store.delete(id);
    }
  }

  const provider = new Provider(issuer, {
    adapter: MapAdapter,
    clients: options.clients.map((client) => ({ ...client, grant_types: ["authorization_code"], response_types: ["code"] })),
    jwks: { keys: [jwk] } as never,
    cookies: { keys: ["test-cookie-key-0123456789"] },
    claims: { openid: ["sub", "amr", "acr"], email: ["email", "email_verified"], profile: ["name"] },
    // Profile claims in the ID token itself (many providers do); the client
    // also reads userinfo when they are missing.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // PKCE on every flow: an authorization without a challenge is refused.
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: account.sub, email: account.email, email_verified: account.email_verified, name: account.name };
        },
      };
    },
    // Consent is automatic: the grant covers what was asked for.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? "openid"));
      await grant.save();
      return grant;
    },
  });
  provider.on("server_error", () => undefined);
  if (process.env.OIDC_PROVIDER_DEBUG) provider.on("grant.error", (_ctx, error) => console.error("grant.error", error));
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (tamper && ctx.path === "/token" && body?.id_token) body.id_token = resign(body.id_token, tamper, privateKey);
  });

  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (res.destroyed) return;
    // Browsers ask for one; a 404 would show as a console error in browser tests.
    if (req.url === "/favicon.ico") return void res.writeHead(204).end();
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? "/", issuer).pathname);
    if (!match) return callback(req, res);
    try {
      if (req.method === "POST" && match[2]) {
        const login = new URLSearchParams(await readBody(req)).get("login") ?? "";
        const account = findLogin(login);
        if (!account) return sendLoginForm(res, match[1], "Unknown account");
        await provider.interactionFinished(req, res, { login: { accountId: account.sub, amr: account.amr, acr: account.acr } }, { mergeWithLastSubmission: false });
        return;
      }
      await provider.interactionDetails(req, res);
      sendLoginForm(res, match[1]);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("Interaction expired");
    }
  });

  return {
    issuer,
    setAccount(account) {
      accounts.set(account.sub, account);
    },
    addClient(client) {
      const clients = stores.get("Client") ?? new Map<string, AdapterPayload>();
      stores.set("Client", clients);
      clients.set(client.client_id, { ...client, grant_types: ["authorization_code"], response_types: ["code"] } as AdapterPayload);
    },
    async authorize(authorizationUrl, login) {
      const browser = new HttpClient(issuer);
      let response = await browser.get(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        const location = response.location ? new URL(response.location, issuer) : null;
        if (location && location.origin !== new URL(issuer).origin) return location.href;
        if (location) {
          response = await browser.get(location.href);
          continue;
        }
        const action = /<form method="post" action="([^"]+)"/.exec(response.text)?.[1];
        if (response.status !== 200 || !action) throw new Error(`Provider stopped at ${response.status}: ${response.text.replace(/<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 400)}`);
        response = await browser.post(action, { login });
      }
      throw new Error("Too many redirects at the provider");
    },
    slow(ms) {
      delayMs = ms;
    },
    down: () => proxy.stop(),
    up: () => proxy.start(),
    expireCodes() {
      const past = Math.floor(Date.now() / 1000) - 60;
      for (const payload of stores.get("AuthorizationCode")?.values() ?? []) payload.exp = past;
    },
    tamperIdTokens(changes) {
      tamper = changes;
    },
    async stop() {
      delayMs = 0;
      await proxy.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendLoginForm(res: http.ServerResponse, uid: string, error?: string) {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html><head><title>Test provider sign-in</title></head><body>
<h1>Test provider</h1>${error ? `<p role="alert">${error}</p>` : ""}
<form method="post" action="/interaction/${uid}/login"><label>Login <input name="login" autofocus></label><button type="submit">Sign in</button></form>
</body></html>`);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

// Re-signs an ID token with the provider's own key after changing iss/aud:
// a validly signed token that is nevertheless for another issuer or client.
function resign(token: string, changes: { iss?: string; aud?: string }, key: KeyObject): string {
  const [header, payload] = token.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), ...changes };
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${createSign("RSA-SHA256").update(body).sign(key, "base64url")}`;
}
