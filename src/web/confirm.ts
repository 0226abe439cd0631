import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isHtmx, renderFragment, renderPage, safeReturnTo } from "./render.js";

// Confirm before destroying. An action that ends sessions, voids codes,
// removes a factor, deletes or transfers something carries
// `requireConfirmation(...)` after its guards. A POST without
// `confirmed=yes` destroys nothing: it answers with a confirmation step (a
// page without JavaScript) whose form posts the same fields again with the
// flag. With JavaScript the form carries `include('partials/confirm', …)`:
// htmx asks through the one <dialog> (public/js/app.js) and adds the flag
// (hx-vals) only once the user has confirmed.
export const CONFIRMED_FIELD = "confirmed";
export const CONFIRMED_VALUE = "yes";

export interface Confirmation {
  // The question, as a heading: "Sign out all other sessions?"
  title: string;
  // What happens, in one or two sentences.
  message: string;
  // The button that goes ahead: "Sign out all other sessions".
  confirmLabel: string;
  // Where "Cancel" goes when the request has no same-origin referer.
  cancelUrl: string;
}

type Describe = Confirmation | ((req: Request) => Confirmation | Promise<Confirmation>);

const confirmationGuards = new WeakSet<object>();

// Lets a test list every route that asks first (test/platform/confirmation.security.test.ts).
export function isConfirmationGuard(handler: unknown): boolean {
  return typeof handler === "function" && confirmationGuards.has(handler);
}

export function isConfirmed(req: Request): boolean {
  return (req.body as Record<string, unknown> | undefined)?.[CONFIRMED_FIELD] === CONFIRMED_VALUE;
}

export function requireConfirmation(describe: Describe): RequestHandler {
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    if (isConfirmed(req)) return next();
    const confirmation = typeof describe === "function" ? await describe(req) : describe;
    const data = {
      title: confirmation.title,
      confirmation,
      action: req.originalUrl,
      cancelUrl: refererPath(req) ?? confirmation.cancelUrl,
      carried: carriedFields(req.body),
    };
    // Nothing was changed; the answer is the question. An htmx request
    // without the flag (a form that lacks the marker) gets the step in the
    // main area instead of its swap target.
    if (isHtmx(req)) {
      res.setHeader("HX-Retarget", "#main");
      res.setHeader("HX-Reswap", "innerHTML");
      return renderFragment(res, "partials/confirm-step", data);
    }
    renderPage(res, "partials/confirm-step", data);
  };
  confirmationGuards.add(guard);
  return guard;
}

// The fields of the original form, posted again unchanged by the
// confirmation step (the CSRF token is the page's own; the flag is added).
function carriedFields(body: unknown): Array<{ name: string; value: string }> {
  if (!body || typeof body !== "object") return [];
  const fields: Array<{ name: string; value: string }> = [];
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    if (name === "_csrf" || name === CONFIRMED_FIELD) continue;
    for (const value of ([] as unknown[]).concat(raw)) {
      if (typeof value === "string" && fields.length < 50) fields.push({ name: name.slice(0, 100), value: value.slice(0, 4000) });
    }
  }
  return fields;
}

function refererPath(req: Request): string | undefined {
  const referer = req.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    if (url.host !== req.headers.host) return undefined;
    const path = safeReturnTo(url.pathname + url.search, "");
    // Going "back" to the action itself (a reload of the step) is no cancel.
    return path && url.pathname !== new URL(req.originalUrl, "http://x").pathname ? path : undefined;
  } catch {
    return undefined;
  }
}
