import ejs from "ejs";
import type { NextFunction, Request, Response } from "express";
import type { Clock } from "../platform/clock.js";
import { createTimeFormatter, DEFAULT_TIME_ZONE, isValidTimeZone, type TimeFormatter } from "../platform/format.js";
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

// What a view gets for one language and zone: built once per (clock,
// language, zone) and shared by every request that reads in it, since it
// runs twice on every request (a good part of a page's CPU when rebuilt each
// time). Nothing in it belongs to a request: the time formatter asks the
// clock for "now" when it formats.
interface LocaleBundle {
  locale: RequestLocale;
  locals: Record<string, unknown>;
}

const bundles = new WeakMap<Pick<Clock, "now">, Map<string, LocaleBundle>>();

function bundleFor(clock: Pick<Clock, "now">, language: Language, timeZone: string | null | undefined): LocaleBundle {
  let byKey = bundles.get(clock);
  if (!byKey) bundles.set(clock, (byKey = new Map()));
  // Only valid zones are keys (an unknown one reads as UTC), so there are at
  // most languages × IANA zones bundles.
  const zone = isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  const key = `${language}|${zone}`;
  let bundle = byKey.get(key);
  if (!bundle) {
    const t = translatorFor(language);
    const fmt = createTimeFormatter(language, zone, () => clock.now().getTime());
    // `tm` shows a message that may be a key (from a route or service) or final text.
    const tm = (message: string, vars?: Record<string, unknown>) => translateMessage(t, message, vars);
    const th = (key: string, vars?: Record<string, unknown>) => translateMarkup(t, key, vars);
    const viewFmt: TimeFormatter = { ...fmt, timeTag: (...args) => new Markup(fmt.timeTag(...args)) as unknown as string };
    // A block that depends on the language alone (the words for the page's
    // scripts): built on its first use, then reused by every page.
    const built = new Map<string, unknown>();
    const sameForLanguage = (name: string, build: () => unknown) => {
      if (!built.has(name)) built.set(name, build());
      return built.get(name);
    };
    bundle = { locale: { language, timeZone: fmt.timeZone, t, fmt }, locals: { t, tm, th, jsonForScript, sameForLanguage, lang: language, fmt: viewFmt } };
    byKey.set(key, bundle);
  }
  return bundle;
}

export function applyLocale(req: Request, res: Response, clock: Pick<Clock, "now">): RequestLocale {
  const saved = (req.currentUser?.user ?? {}) as LocalePreferences;
  const { locale, locals } = bundleFor(clock, resolveLanguage(saved.language, req.headers["accept-language"]), saved.timeZone);
  // Asked again after the user is loaded: nothing to do when it is the same.
  if (req.locale === locale) return locale;
  req.locale = locale;
  Object.assign(res.locals, locals);
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

// The escape function of every `<%= %>` (web/view-engine.ts, set up in app.ts).
// Everything else is escaped exactly as EJS always did.
// Most printed strings hold nothing to escape: those are returned as they are.
const NEEDS_ESCAPING = /[&<>"']/;

export function escapeForView(value: unknown): string {
  if (typeof value === "string") return NEEDS_ESCAPING.test(value) ? ejs.escapeXML(value) : value;
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
