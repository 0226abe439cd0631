import ejs from "ejs";
import type { NextFunction, Request, Response } from "express";
import type { Clock } from "../platform/clock.js";
import { createTimeFormatter, type TimeFormatter } from "../platform/format.js";
import { LANGUAGE_NAMES, LANGUAGES, resolveLanguage, translateMessage, translatorFor, type Language, type Translate } from "../platform/i18n.js";

// The request's language and time zone: the signed-in user's saved choices,
// else Accept-Language (and UTC). Views get `t`, `lang` and `fmt` as locals;
// routes and the error handler read them with localeOf(req).
export interface RequestLocale {
  language: Language;
  timeZone: string;
  t: Translate;
  fmt: TimeFormatter;
}

declare module "express-serve-static-core" {
  interface Request {
    locale?: RequestLocale;
  }
}

interface LocalePreferences {
  language?: string | null;
  timeZone?: string | null;
}

export function applyLocale(req: Request, res: Response, clock: Pick<Clock, "now">): RequestLocale {
  const saved = (req.currentUser?.user ?? {}) as LocalePreferences;
  const language = resolveLanguage(saved.language, req.headers["accept-language"]);
  const t = translatorFor(language);
  const fmt = createTimeFormatter(language, saved.timeZone, () => clock.now().getTime());
  const locale: RequestLocale = { language, timeZone: fmt.timeZone, t, fmt };
  req.locale = locale;
  // `tm` shows a message that may be a key (from a route or service) or final text.
  const tm = (message: string, vars?: Record<string, unknown>) => translateMessage(t, message, vars);
  const th = (key: string, vars?: Record<string, unknown>) => translateMarkup(t, key, vars);
  const viewFmt: TimeFormatter = { ...fmt, timeTag: (...args) => new Markup(fmt.timeTag(...args)) as unknown as string };
  Object.assign(res.locals, { t, tm, th, jsonForScript, lang: language, fmt: viewFmt });
  return locale;
}

// Mounted twice: before the session (so even an early error page is in the
// visitor's language) and after the user is loaded (their saved choice wins).
export function localize(clock: Pick<Clock, "now">) {
  return (req: Request, res: Response, next: NextFunction) => {
    applyLocale(req, res, clock);
    next();
  };
}

// Markup we made ourselves: a translation that holds tags, a <time> tag, a
// JSON data block. `<%= %>` prints it as it is (escapeForView below) and
// escapes everything else, so views never need `<%-` for it.
export class Markup {
  constructor(private readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

// A translation that holds markup. Every variable is escaped here, so a view
// cannot forget to: numbers stay numbers (plural rules need them) and only
// Markup (a <time> tag, another th) goes in as it is.
export function translateMarkup(t: Translate, key: string, vars: Record<string, unknown> = {}): Markup {
  const escaped = Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name, value instanceof Markup ? value.toString() : typeof value === "number" ? value : escapeHtml(value)]),
  );
  return new Markup(t(key, escaped));
}

// Data for the page's scripts in a <script type="application/json"> block:
// "<" escaped, so no value can end the block or open a comment.
export function jsonForScript(value: unknown): Markup {
  return new Markup(JSON.stringify(value).replace(/</g, "\\u003c"));
}

// EJS's escape function for every `<%= %>` (app.ts, "view options").
// Everything else is escaped exactly as EJS always did.
export function escapeForView(value: unknown): string {
  return value instanceof Markup ? value.toString() : ejs.escapeXML(value as string);
}

function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const fallbackClock = { now: () => new Date() };

export function localeOf(req: Request): RequestLocale {
  return req.locale ?? applyLocale(req, req.res!, fallbackClock);
}

// Shorthands for routes: t(req, "ns:key") and a message that may be a key.
export function tr(req: Request, key: string, vars?: Record<string, unknown>): string {
  return localeOf(req).t(key, vars);
}

export function translateFor(req: Request, message: string, vars?: Record<string, unknown>): string {
  return translateMessage(localeOf(req).t, message, vars);
}

export function languageOptions(): { value: Language; label: string }[] {
  return LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] }));
}
