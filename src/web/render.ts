import type { Request, Response } from "express";
import { translateMessage } from "../platform/i18n.js";
import { localeOf } from "./i18n.js";
import { sessionSlot } from "./session/slots.js";

export interface Flash {
  kind: "info" | "error";
  // A locale key ("ns:key") with its variables, translated when shown.
  message: string;
  vars?: Record<string, unknown>;
}

const flashSlot = sessionSlot<Flash>("flash");

export function isHtmx(req: Request): boolean {
  return req.headers["hx-request"] === "true";
}

// Every page renders inside the layout; `view` names the page template.
export function renderPage(res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  // The flash is consumed by the page that shows it, so it survives
  // redirect chains (POST -> / -> /w/slug).
  const stored = res.req.session ? flashSlot.get(res.req) : undefined;
  const raw = (stored ?? res.locals.flash ?? null) as Flash | null;
  if (stored) flashSlot.clear(res.req);
  const flash = raw ? { kind: raw.kind, message: translateMessage(localeOf(res.req).t, raw.message, raw.vars) } : null;
  // A page title may be a locale key ("ns:key"): translated here.
  const title = typeof data.title === "string" ? translateMessage(localeOf(res.req).t, data.title) : data.title;
  res.status(status).render("layouts/page", { ...data, ...(title !== undefined ? { title } : {}), view, flash }, sendOrFallback(res));
}

// A fragment for htmx (no layout).
export function renderFragment(res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  res.status(status).render(view, data, sendOrFallback(res));
}

// A template that fails to render must not leak a stack trace to the user.
function sendOrFallback(res: Response) {
  return (error: Error | null, html?: string) => {
    if (!error) return sendHtml(res, html ?? "");
    res.locals.logger?.error({ err: error }, "template failed");
    res.status(500).type("text/plain").send("Something went wrong on our side.");
  };
}

// What res.send does for a rendered page, without its copy of every page
// over 1,000 characters into a Buffer just to count its bytes (the largest
// allocation of a page view, see the bench). Pages carry no ETag or
// Last-Modified (each has its own CSP nonce), so there is no freshness to check.
function sendHtml(res: Response, html: string): void {
  if (!res.get("Content-Type")) res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(html));
  res.end(res.req.method === "HEAD" ? undefined : html);
}

export interface FormContext {
  page: string;
  fragment: string;
  // Only non-secret fields are echoed back into a re-rendered form.
  values: Record<string, string>;
  // Page data for a full re-render; a function is only called when the form
  // actually failed, so successful requests do not load a whole page.
  data?: Record<string, unknown> | (() => Promise<Record<string, unknown>>);
  // What the fragment alone needs (htmx), when less than the whole page.
  fragmentData?: () => Promise<Record<string, unknown>>;
}

const SECRET_FIELD = /password|code|token|secret|_csrf/i;

export function echoableValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (!body || typeof body !== "object") return values;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string" && !SECRET_FIELD.test(key)) values[key] = value.slice(0, 500);
  }
  return values;
}

// Declares which form a POST re-renders when it fails, so one error handler can
// answer with the fragment (htmx) or the whole page (no JavaScript).
export function rememberForm(res: Response, req: Request, page: string, fragment: string, data: FormContext["data"] = {}): void {
  res.locals.form = { page, fragment, values: echoableValues(req.body), data } satisfies FormContext;
}

// Locals that only a failed form's re-render needs (the sign-in page's
// provider buttons on a POST): middleware registers a loader, and renderForm
// runs it, so a successful POST never loads them.
export function deferLocals(res: Response, load: () => Promise<Record<string, unknown>>): void {
  ((res.locals.deferredLocals as Array<typeof load> | undefined) ??= []).push(load);
}

export async function renderForm(
  req: Request,
  res: Response,
  form: FormContext,
  status: number,
  feedback: { errors?: Record<string, string>; formError?: string } = {},
): Promise<void> {
  for (const load of (res.locals.deferredLocals as Array<() => Promise<Record<string, unknown>>> | undefined) ?? []) Object.assign(res.locals, await load());
  const htmx = isHtmx(req);
  const loaded = htmx && form.fragmentData ? await form.fragmentData() : typeof form.data === "function" ? await form.data() : form.data;
  const data = { ...loaded, values: form.values, errors: feedback.errors ?? {}, formError: feedback.formError ?? null };
  if (htmx) {
    renderFragment(res, form.fragment, data, status);
  } else {
    renderPage(res, form.page, data, status);
  }
}

export function setFlash(req: Request, kind: Flash["kind"], message: string, vars?: Record<string, unknown>): void {
  flashSlot.set(req, vars ? { kind, message, vars } : { kind, message });
}

// return_to is honoured only for same-origin paths: "/x" but never "//host" or "/\host".
export function safeReturnTo(candidate: unknown, fallback = "/"): string {
  if (typeof candidate !== "string" || candidate.length > 2000) return fallback;
  if (!/^\/(?![/\\])[^\s]*$/.test(candidate)) return fallback;
  return candidate;
}

// With htmx a redirect must be an HX-Redirect header, or the fragment target
// would receive the next page.
export function redirectTo(req: Request, res: Response, location: string): void {
  if (isHtmx(req)) {
    // A redirect to an anchor of the page already shown would only scroll:
    // drop the anchor so the browser really loads the page again.
    const current = String(req.headers["hx-current-url"] ?? "");
    const [path] = location.split("#");
    const samePage = current !== "" && new URL(current, "http://x").pathname === new URL(path!, "http://x").pathname;
    res.setHeader("HX-Redirect", samePage ? path! : location);
    res.status(204).end();
  } else {
    res.redirect(303, location);
  }
}
