import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "./paths.js";
import { remembered } from "./remember.js";
import i18next, { type i18n as I18n, type Resource } from "i18next";

// Every user-facing text goes through i18next. Texts live in
// locales/<language>/<namespace>.json, one namespace per module (plus
// "common" for the layout, errors and shared words); a key is written
// "namespace:path.to.key", e.g. t("sessions:title"). Both languages must hold
// the same keys with the same {{variables}} (test/platform/i18n.test.ts).

export const LANGUAGES = ["en", "zh-CN"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

// What the language picker shows, each in its own language.
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", "zh-CN": "简体中文" };

export type TranslateVars = Record<string, unknown>;
export type Translate = (key: string, vars?: TranslateVars) => string;

export const LOCALES_DIR = path.join(projectRoot, "locales");

export function loadLocaleResources(dir = LOCALES_DIR): Resource {
  const resources: Resource = {};
  for (const language of LANGUAGES) {
    resources[language] = {};
    for (const file of readdirSync(path.join(dir, language)).filter((name) => name.endsWith(".json")).sort()) {
      resources[language]![file.slice(0, -5)] = JSON.parse(readFileSync(path.join(dir, language, file), "utf8"));
    }
  }
  return resources;
}

let instance: I18n | undefined;

// One instance for the process, initialised synchronously from the JSON files
// on first use (the files are small; no network backend).
export function i18n(): I18n {
  if (instance) return instance;
  const resources = loadLocaleResources();
  const created = i18next.createInstance();
  void created.init({
    resources,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    defaultNS: "common",
    // EJS escapes what <%= %> prints; mail bodies are plain text.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  instance = created;
  return created;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

// One translator per language, built once. The resources are loaded once and
// never change, so a key always has the same text: those texts are
// remembered (i18next's lookup costs tens of microseconds, and a page asks
// for dozens of keys on every request; the bench's profile). A call with
// plain variables puts them into the remembered text itself ({{name}} is the
// only placeholder form the locales use, test/platform/i18n.test.ts); one
// that asks i18next for more (a count's plural form, a context, a default)
// goes to i18next. At most MAX_REMEMBERED_TEXTS per language, so keys built
// from data cannot grow it without bound.
const MAX_REMEMBERED_TEXTS = 5000;
const translators = new Map<string, Translate>();

// Variables i18next reads as options rather than as values to put in.
const I18NEXT_OPTIONS = new Set(["count", "context", "defaultValue", "ns", "lng", "lngs", "fallbackLng", "returnObjects", "returnDetails", "joinArrays", "postProcess", "interpolation", "skipInterpolation", "replace", "ordinal", "keySeparator", "nsSeparator"]);
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function onlyValues(vars: TranslateVars): boolean {
  for (const name in vars) if (I18NEXT_OPTIONS.has(name)) return false;
  return true;
}

// As i18next does it with escapeValue off: a value given as null or
// undefined prints nothing, a placeholder with no value stays as it is. No
// nesting: a value is never read as "$t(…)" (i18next would translate a
// user-chosen name that looks like one).
export function fillPlaceholders(text: string, vars: TranslateVars): string {
  return text.replace(PLACEHOLDER, (placeholder, name: string) => {
    if (!(name in vars)) return placeholder;
    const value = vars[name];
    return value === undefined || value === null ? "" : `${value as string}`;
  });
}

export function translatorFor(language: string | null | undefined): Translate {
  const lng = isLanguage(language) ? language : DEFAULT_LANGUAGE;
  let translate = translators.get(lng);
  if (!translate) {
    const fixed = i18n().getFixedT(lng);
    const textOf = remembered(MAX_REMEMBERED_TEXTS, (key: string) => fixed(key) as unknown as string);
    translate = (key, vars) => {
      if (!vars) return textOf(key);
      if (onlyValues(vars)) return fillPlaceholders(textOf(key), vars);
      return fixed(key, vars as never) as unknown as string;
    };
    translators.set(lng, translate);
  }
  return translate;
}

// Whether a message is a known key, remembered like the texts (asked for
// every flash, title and error shown). A plural key exists only with a
// count, so a call with options asks i18next.
const keyExists = remembered(MAX_REMEMBERED_TEXTS, (message: string) => i18n().exists(message));

function isKnownKey(message: string, vars: TranslateVars | undefined): boolean {
  return vars && !onlyValues(vars) ? i18n().exists(message, vars as never) : keyExists(message);
}

// A message that may be a key ("ns:path") or already-final text: services
// and zod schemas give keys; anything that is not a known key is shown as is.
// Variables that are keys themselves (a reason inside a sentence) are
// translated first.
export function translateMessage(t: Translate, message: string, vars?: TranslateVars): string {
  // (exists() is given the variables: a plural key exists only with a count.)
  if (!looksLikeKey(message) || !isKnownKey(message, vars)) return message;
  if (!vars) return t(message);
  const resolved: TranslateVars = {};
  for (const [name, value] of Object.entries(vars)) {
    // A list of keys (zxcvbn's advice) becomes their texts, one after the other.
    if (Array.isArray(value)) resolved[name] = value.map((item) => (typeof item === "string" && looksLikeKey(item) && isKnownKey(item, undefined) ? t(item) : String(item))).join(" ");
    else resolved[name] = typeof value === "string" && looksLikeKey(value) && isKnownKey(value, undefined) ? t(value) : value;
  }
  return t(message, resolved);
}

function looksLikeKey(message: string): boolean {
  return /^[a-z][\w-]*:[\w.-]+$/.test(message);
}

// Maps one Accept-Language tag to a supported language (zh, zh-CN, zh-Hans,
// zh-SG → zh-CN; en-* → en).
function matchTag(tag: string): Language | undefined {
  const lower = tag.toLowerCase();
  if (lower === "zh" || lower.startsWith("zh-cn") || lower.startsWith("zh-hans") || lower === "zh-sg" || lower.startsWith("zh-sg-")) return "zh-CN";
  if (lower === "en" || lower.startsWith("en-")) return "en";
  return undefined;
}

// The user's saved choice, else the best Accept-Language match (by q), else English.
export function resolveLanguage(saved: string | null | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(saved)) return saved;
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(",")
      .slice(0, 20)
      .map((part, index) => {
        const [tag = "", ...params] = part.trim().split(";");
        const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean);
        return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
      })
      .filter((entry) => entry.tag && entry.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const entry of ranked) {
      const match = matchTag(entry.tag);
      if (match) return match;
    }
  }
  return DEFAULT_LANGUAGE;
}
