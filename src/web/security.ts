import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import { csrfSync } from "csrf-sync";
import { AppError } from "../platform/errors.js";
import { authFacts } from "./sign-in/session-auth.js";

export function securityHeaders(options: { secure: boolean }) {
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as Response).locals.cspNonce}'`;
  const withHelmet = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonce],
        styleSrc: ["'self'"],
        // Avatars of linked GitHub and Discord accounts (Settings → Connections).
        imgSrc: ["'self'", "data:", "blob:", "https://avatars.githubusercontent.com", "https://cdn.discordapp.com"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(options.secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only makes sense (and only takes effect) over HTTPS.
    strictTransportSecurity: options.secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    withHelmet(req, res, next);
  };
}

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  size: 32,
  // Forms post `_csrf`; htmx sends the header set once on <body hx-headers>.
  getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? (req.headers["x-csrf-token"] as string | undefined),
  errorConfig: { statusCode: 403, message: "CSRF_TOKEN_INVALID", code: "EBADCSRFTOKEN" },
});

// Synchronizer token plus Fetch Metadata: a browser that says the request
// came from another site is refused before the token is even looked at.
export function csrfProtection(req: Request, res: Response, next: NextFunction) {
  const site = req.headers["sec-fetch-site"];
  if (!["GET", "HEAD", "OPTIONS"].includes(req.method) && site && site !== "same-origin" && site !== "none") {
    return next(new AppError(403, "CROSS_SITE_REQUEST", { message: "This request came from another site and was refused." }));
  }
  csrfSynchronisedProtection(req, res, (error?: unknown) => {
    if (error) return next(new AppError(403, "CSRF_TOKEN_INVALID", { message: "Your form expired. Reload the page and try again." }));
    next();
  });
}

export function csrfTokenFor(req: Request): string {
  return generateToken(req);
}

// Pages that show account data must not be stored by browsers or proxies.
export function noStoreWhenSignedIn(req: Request, res: Response, next: NextFunction) {
  if (authFacts(req).userId) res.setHeader("Cache-Control", "no-store");
  next();
}
