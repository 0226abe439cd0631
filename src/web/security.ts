import { randomFillSync } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import { csrfSync } from "csrf-sync";
import { AppError } from "../platform/errors.js";
import { authFacts } from "./sign-in/session-auth.js";

// A CSP nonce: 128 bits from the CSPRNG, never reused. They are cut from a
// block filled 256 at a time (as Node does for randomUUID), since asking
// OpenSSL for 16 bytes on every page was a visible share of a page's CPU.
const NONCE_BYTES = 16;
const nonceBlock = Buffer.alloc(NONCE_BYTES * 256);
let nonceOffset = nonceBlock.length;

export function nextNonce(): string {
  if (nonceOffset === nonceBlock.length) {
    randomFillSync(nonceBlock);
    nonceOffset = 0;
  }
  const nonce = nonceBlock.toString("base64", nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

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
  // Helmet's headers are the same on every response but for the CSP nonce,
  // yet it rebuilt them all on every request (a few percent of the signed-in
  // page's CPU). So helmet runs once here with a marker for the nonce, and
  // each request replays exactly the headers it set, the nonce put in place
  // of the marker: the same headers, byte for byte (templates.security.test.ts).
  const marker = "LATCHKEYNONCEMARKER";
  const recorded: Array<[string, string]> = [];
  const recorder = {
    locals: { cspNonce: marker },
    setHeader: (name: string, value: unknown) => void recorded.push([name, String(value)]),
    removeHeader: () => {},
    getHeader: () => undefined,
  };
  let ranSynchronously = false;
  withHelmet({ headers: {} } as Request, recorder as unknown as Response, () => void (ranSynchronously = true));
  if (!ranSynchronously) throw new Error("helmet did not set its headers synchronously");
  const headers = recorded.map(([name, value]) => ({ name, parts: value.split(marker) }));
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = nextNonce();
    res.locals.cspNonce = nonce;
    for (const { name, parts } of headers) res.setHeader(name, parts.length === 1 ? parts[0]! : parts.join(nonce));
    next();
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
    return next(new AppError(403, "CROSS_SITE_REQUEST", { message: "codes:web.crossSite" }));
  }
  csrfSynchronisedProtection(req, res, (error?: unknown) => {
    if (error) return next(new AppError(403, "CSRF_TOKEN_INVALID", { message: "codes:web.formExpired" }));
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
