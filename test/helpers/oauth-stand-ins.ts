import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Request, type Response } from "express";

// Loopback stand-ins for GitHub's and Discord's OAuth 2 and user APIs: the
// only mocks these tests use, since the real services are outside the
// machine. They follow the documented shapes (paths, parameters, JSON) and
// check what the real ones check: the client's credentials, the redirect
// URI, single-use and short-lived codes, and PKCE S256.
//
// GitHub: GET /login/oauth/authorize, POST /login/oauth/access_token,
//         GET /user, GET /user/emails  (GITHUB_URL and GITHUB_API_URL)
// Discord: GET /oauth2/authorize, POST /api/oauth2/token, GET /api/users/@me  (DISCORD_URL)

export interface StandInUser {
  id: string;
  login: string;
  email: string;
  emailVerified?: boolean;
  avatar?: string;
}

export interface OAuthStandIn {
  kind: "github" | "discord";
  url: string;
  clientId: string;
  clientSecret: string;
  // Who is "signed in at the provider" and approves the next authorization.
  signInAs(user: StandInUser): void;
  // "down": every request fails with 503; "slow": token and user requests
  // never answer (the app's time limit must end the wait).
  setMode(mode: "normal" | "down" | "slow"): void;
  // The code of the last approval (to replay it).
  lastCode(): string | undefined;
  // The authorize URL's query of the last authorization request seen.
  lastAuthorizeParams(): URLSearchParams | undefined;
  // What the browser is sent back with, as if the user clicked Authorize.
  approve(authorizeUrl: string): Promise<string>;
  // Test-side settings for the app's env.
  env(): Record<string, string>;
  close(): Promise<void>;
}

interface IssuedCode {
  user: StandInUser;
  redirectUri: string;
  challenge: string | null;
  issuedAt: number;
  used: boolean;
}

const CODE_TTL_MS = 10 * 60_000;

export async function startOAuthStandIn(kind: "github" | "discord"): Promise<OAuthStandIn> {
  const clientId = `${kind}-client-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(16).toString("hex");
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, StandInUser>();
  const hanging = new Set<Response>();
  let current: StandInUser | undefined;
  let mode: "normal" | "down" | "slow" = "normal";
  let lastCode: string | undefined;
  let lastParams: URLSearchParams | undefined;

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get("/favicon.ico", (_req, res) => void res.status(204).end());
  app.use((_req, res, next) => (mode === "down" ? res.status(503).json({ message: "Service unavailable" }) : next()));

  const paths =
    kind === "github"
      ? { authorize: "/login/oauth/authorize", token: "/login/oauth/access_token", user: "/user" }
      : { authorize: "/oauth2/authorize", token: "/api/oauth2/token", user: "/api/users/@me" };

  // The consent page: a form the user submits ("Authorize"), as at the real provider.
  app.get(paths.authorize, (req, res) => {
    const query = new URL(req.originalUrl, "http://x").searchParams;
    lastParams = query;
    if (query.get("client_id") !== clientId) return res.status(400).send("Unknown client");
    if (query.get("response_type") && query.get("response_type") !== "code") return res.status(400).send("Unsupported response type");
    if (!current) return res.status(401).send("Nobody is signed in at the provider");
    const hidden = [...query].map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join("");
    res.type("html").send(
      `<!doctype html><title>Authorize</title><h1>Authorize application</h1><p>Signed in as ${escape(current.login)}</p>` +
        `<form method="post" action="${paths.authorize}/approve">${hidden}<button type="submit">Authorize</button></form>`,
    );
  });

  app.post(`${paths.authorize}/approve`, (req, res) => {
    const body = req.body as Record<string, string>;
    const redirect = new URL(body.redirect_uri!);
    const code = randomBytes(16).toString("hex");
    codes.set(code, {
      user: current!,
      redirectUri: body.redirect_uri!,
      challenge: body.code_challenge_method === "S256" ? (body.code_challenge ?? null) : null,
      issuedAt: Date.now(),
      used: false,
    });
    lastCode = code;
    redirect.searchParams.set("code", code);
    if (body.state) redirect.searchParams.set("state", body.state);
    res.redirect(302, redirect.toString());
  });

  function tokenError(res: Response, error: string, description: string) {
    // GitHub answers token errors with 200 and an error body; Discord with 400.
    res.status(kind === "github" ? 200 : 400).json({ error, error_description: description });
  }

  app.post(paths.token, (req: Request, res: Response) => {
    if (mode === "slow") return void hanging.add(res);
    const body = req.body as Record<string, string>;
    const basic = req.headers.authorization?.startsWith("Basic ")
      ? Buffer.from(req.headers.authorization.slice(6), "base64").toString().split(":").map(decodeURIComponent)
      : [];
    const [id, secret] = basic.length === 2 ? basic : [body.client_id, body.client_secret];
    if (id !== clientId || secret !== clientSecret) return tokenError(res, "invalid_client", "The client_id and/or client_secret passed are incorrect.");
    const issued = codes.get(body.code ?? "");
    if (!issued || issued.used || Date.now() - issued.issuedAt > CODE_TTL_MS) {
      if (issued) issued.used = true;
      return tokenError(res, kind === "github" ? "bad_verification_code" : "invalid_grant", "The code passed is incorrect or expired.");
    }
    issued.used = true;
    if (body.redirect_uri !== issued.redirectUri) return tokenError(res, "redirect_uri_mismatch", "The redirect_uri does not match.");
    if (issued.challenge) {
      const computed = createHash("sha256")
        .update(body.code_verifier ?? "")
        .digest("base64url");
      if (computed !== issued.challenge) return tokenError(res, "invalid_grant", "The code_verifier does not match the code_challenge.");
    }
    const token = randomBytes(20).toString("hex");
    tokens.set(token, issued.user);
    res.json(kind === "github" ? { access_token: token, token_type: "bearer", scope: "read:user,user:email" } : { access_token: token, token_type: "Bearer", expires_in: 604800, scope: "identify email" });
  });

  function bearer(req: Request): StandInUser | undefined {
    const header = req.headers.authorization ?? "";
    const token = header.replace(/^(Bearer|token) /i, "");
    return tokens.get(token);
  }

  app.get(paths.user, (req, res) => {
    if (mode === "slow") return void hanging.add(res);
    const user = bearer(req);
    if (!user) return res.status(401).json({ message: "Bad credentials" });
    if (kind === "github") {
      return res.json({ id: Number(user.id), login: user.login, name: user.login, email: null, avatar_url: user.avatar ?? `https://avatars.githubusercontent.com/u/${user.id}?v=4` });
    }
    res.json({ id: user.id, username: user.login, global_name: user.login, avatar: user.avatar ?? null, email: user.email, verified: user.emailVerified ?? true });
  });

  if (kind === "github") {
    app.get("/user/emails", (req, res) => {
      if (mode === "slow") return void hanging.add(res);
      const user = bearer(req);
      if (!user) return res.status(401).json({ message: "Bad credentials" });
      res.json([
        { email: `${user.login}@users.noreply.github.com`, primary: false, verified: true, visibility: null },
        { email: user.email, primary: true, verified: user.emailVerified ?? true, visibility: "private" },
      ]);
    });
  }

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    kind,
    url,
    clientId,
    clientSecret,
    signInAs: (user) => void (current = user),
    setMode: (next) => void (mode = next),
    lastCode: () => lastCode,
    lastAuthorizeParams: () => lastParams,
    async approve(authorizeUrl) {
      const page = await fetch(authorizeUrl);
      if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${await page.text()}`);
      const params = new URL(authorizeUrl).searchParams;
      const response = await fetch(`${url}${paths.authorize}/approve`, { method: "POST", body: params, redirect: "manual" });
      const location = response.headers.get("location");
      if (response.status !== 302 || !location) throw new Error(`approve answered ${response.status}`);
      return location;
    },
    env: (): Record<string, string> => (kind === "github" ? { GITHUB_URL: url, GITHUB_API_URL: url } : { DISCORD_URL: url }),
    async close() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
