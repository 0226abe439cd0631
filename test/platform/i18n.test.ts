import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTimeFormatter, isValidTimeZone } from "../../src/platform/format.js";
import { i18n, LANGUAGES, LOCALES_DIR, loadLocaleResources, resolveLanguage, translateMessage, translatorFor } from "../../src/platform/i18n.js";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

// Names, written the same in every language.
const SAME_IN_BOTH = new Set(["common:appName", "common:language.en"]);

const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

const resources = loadLocaleResources();
// Plural forms differ by language (English has _one and _other, Chinese only
// _other): keys are compared without the suffix.
const PLURAL = /_(zero|one|two|few|many|other)$/;
const keysOf = (language: string) => {
  const all = new Map<string, string>();
  for (const [ns, tree] of Object.entries(resources[language] ?? {})) {
    for (const [key, text] of flatten(tree as Tree)) {
      const base = `${ns}:${key.replace(PLURAL, "")}`;
      if (!all.has(base) || key.endsWith("_other")) all.set(base, text);
    }
  }
  return all;
};

describe("locale files", () => {
  const en = keysOf("en");
  const zh = keysOf("zh-CN");

  it("hold the same namespaces and keys in every language", () => {
    expect(Object.keys(resources["zh-CN"]!).sort()).toEqual(Object.keys(resources.en!).sort());
    const missingInZh = [...en.keys()].filter((key) => !zh.has(key));
    const missingInEn = [...zh.keys()].filter((key) => !en.has(key));
    expect({ missingInZh, missingInEn }).toEqual({ missingInZh: [], missingInEn: [] });
  });

  it("use the same {{variables}} in both languages, and no text is empty", () => {
    const mismatched = [...en.entries()]
      .filter(([key, text]) => zh.has(key) && variables(text).join() !== variables(zh.get(key)!).join())
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
    const empty = [...en.entries(), ...zh.entries()].filter(([, text]) => text.trim() === "").map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it("Chinese texts are really translated (CJK in every text that has letters, unless it is a name)", () => {
    const untranslated = [...zh.entries()]
      .filter(([key, text]) => !SAME_IN_BOTH.has(key) && /[a-z]{3}/i.test(text.replace(/\{\{[^}]*\}\}/g, "")) && !/[\u4e00-\u9fff]/.test(text))
      .map(([key]) => key);
    expect(untranslated).toEqual([]);
  });
});

describe("language resolution", () => {
  it("the saved choice wins, then Accept-Language by weight, then English", () => {
    expect(resolveLanguage("zh-CN", "en-US,en;q=0.9")).toBe("zh-CN");
    expect(resolveLanguage("en", "zh-CN")).toBe("en");
    expect(resolveLanguage(null, "zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(resolveLanguage(null, "zh")).toBe("zh-CN");
    expect(resolveLanguage(null, "zh-Hans-CN")).toBe("zh-CN");
    expect(resolveLanguage(null, "fr-FR,en;q=0.5,zh;q=0.4")).toBe("en");
    expect(resolveLanguage(null, "fr-FR, zh;q=0.8")).toBe("zh-CN");
    expect(resolveLanguage(null, "fr-FR")).toBe("en");
    expect(resolveLanguage(null, undefined)).toBe("en");
    expect(resolveLanguage("xx", "zh-TW")).toBe("en");
    expect(LANGUAGES).toEqual(["en", "zh-CN"]);
  });

  it("translates keys and leaves other text alone", () => {
    const zhT = translatorFor("zh-CN");
    expect(translateMessage(zhT, "common:errors.notFound")).toBe("该页面不存在。");
    expect(translateMessage(zhT, "common:validation.tooShort", { minimum: 3 })).toBe("请至少输入 3 个字符。");
    expect(translateMessage(zhT, "Plain text: not a key.")).toBe("Plain text: not a key.");
    expect(translateMessage(translatorFor("en"), "password:change.doneOthers", { count: 1 })).toBe("Your password was changed. 1 other session was signed out.");
    expect(translateMessage(zhT, "password:change.doneOthers", { count: 2 })).toBe("密码已修改，另有 2 个会话已退出登录。");
    expect(translatorFor(undefined)("common:errors.notFound")).toBe("That page does not exist.");
  });
});

// translatorFor() fills {{placeholders}} itself for calls with plain values
// (src/platform/i18n.ts): it must give exactly what i18next gives, for every
// key of every language.
describe("the remembered texts", () => {
  const samples: unknown[] = ["Ada & <Bob> \"quoted\" 'single'", 42, 0, "", new (class { toString = () => "<b>markup</b>"; })()];

  it("use only the {{name}} placeholder form, and no nesting", () => {
    for (const language of LANGUAGES) {
      for (const text of keysOf(language).values()) {
        expect(text, text).not.toMatch(/\$t\(/);
        for (const [placeholder] of text.matchAll(/\{\{[^}]*\}\}/g)) expect(placeholder, text).toMatch(/^\{\{\s*[A-Za-z0-9_]+\s*\}\}$/);
      }
    }
  });

  it("give what i18next gives, with values, with a value missing, with null, and without variables", () => {
    let compared = 0;
    for (const language of LANGUAGES) {
      const ours = translatorFor(language);
      const theirs = i18n().getFixedT(language);
      for (const [ns, tree] of Object.entries(resources[language] ?? {})) {
        for (const [path, text] of flatten(tree as Tree)) {
          const key = `${ns}:${path.replace(PLURAL, "")}`;
          const names = variables(text).filter((name) => name !== "count");
          if (PLURAL.test(path)) continue;
          for (const value of samples) {
            const vars = Object.fromEntries(names.map((name) => [name, value]));
            expect(ours(key, vars), key).toBe(theirs(key, vars as never));
            compared++;
          }
          if (names.length > 0) {
            const [first, ...rest] = names;
            const missing = Object.fromEntries(rest.map((name) => [name, "x"]));
            expect(ours(key, missing), key).toBe(theirs(key, missing as never));
            const nulled = { ...missing, [first!]: null };
            expect(ours(key, nulled), key).toBe(theirs(key, nulled as never));
          }
          expect(ours(key), key).toBe(theirs(key));
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("leave plurals to i18next", () => {
    expect(translatorFor("en")("password:change.doneOthers", { count: 1 })).toBe("Your password was changed. 1 other session was signed out.");
    expect(translatorFor("en")("password:change.doneOthers", { count: 3 })).toBe("Your password was changed. 3 other sessions were signed out.");
  });
});

describe("times in the reader's language and zone", () => {
  const at = new Date("2026-11-24T03:19:00Z");
  const now = () => at.getTime();

  it("shows date and time in the user's zone", () => {
    expect(createTimeFormatter("en", "UTC", now).dateTime(at)).toBe("Nov 24, 2026, 03:19 UTC");
    expect(createTimeFormatter("en", "Asia/Shanghai", now).dateTime(at)).toBe("Nov 24, 2026, 11:19 GMT+8");
    expect(createTimeFormatter("zh-CN", "Asia/Shanghai", now).dateTime(at)).toBe("2026年11月24日 11:19 GMT+8");
    expect(createTimeFormatter("en", "America/New_York", now).date(at)).toBe("Nov 23, 2026");
    expect(createTimeFormatter("en", "Not/AZone", now).timeZone).toBe("UTC");
    expect(createTimeFormatter("en", "UTC", now).dateTime(null)).toBe("—");
  });

  it("relative times and durations read naturally in both languages", () => {
    const en = createTimeFormatter("en", "UTC", now);
    const zh = createTimeFormatter("zh-CN", "UTC", now);
    expect(en.relative(at.getTime() + 3 * 60_000)).toBe("in 3 minutes");
    expect(en.relative(at.getTime() - 2 * 3600_000)).toBe("2 hours ago");
    expect(en.relative(at.getTime() - 86400_000)).toBe("yesterday");
    expect(zh.relative(at.getTime() + 3 * 60_000)).toBe("3分钟后");
    expect(zh.relative(at.getTime() - 2 * 3600_000)).toBe("2小时前");
    expect(en.duration(10080)).toBe("7 days");
    expect(en.duration(90)).toBe("90 minutes");
    expect(en.duration(120)).toBe("2 hours");
    expect(zh.duration(10080)).toBe("7天");
    expect(en.timeTag(at.getTime() - 2 * 3600_000)).toBe('<time datetime="2026-11-24T01:19:00.000Z" title="Nov 24, 2026, 01:19 UTC">2 hours ago</time>');
  });

  it("accepts only real IANA zones", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("<script>")).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
  });
});

// Every view is read once; user-facing text must come from t(...). Outside
// EJS tags, text nodes and visible attributes may hold only whitespace,
// punctuation, digits and the names below; inside EJS code, the options a
// partial shows (label, hint, title, message…) must not be string literals.
const ALLOWED_WORDS = ["Latchkey", "GitHub", "Discord", "OpenID", "SSO", "TOTP", "QR", "IP", "ID", "URL", "API", "CSV", "JSON", "SMTP", "UTC", "txt"];
const VISIBLE_ATTRIBUTES = ["title", "aria-label", "placeholder", "alt", "data-label", "aria-description", "data-confirm-title", "data-confirm-label", "hx-confirm"];
const CODE_OPTIONS = ["label", "hint", "title", "message", "confirmLabel", "placeholder", "heading", "text", "legend", "description"];

function viewFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? viewFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ejs") ? [path.join(dir, entry.name)] : [],
  );
}

function hasWords(text: string): boolean {
  let rest = text.replace(/&[a-z]+;|&#\d+;/gi, " ");
  for (const word of ALLOWED_WORDS) rest = rest.replace(new RegExp(`\\b${word}\\b`, "g"), " ");
  return /\p{L}{2,}/u.test(rest);
}

export function literalTextIn(source: string): string[] {
  const found: string[] = [];
  const code: string[] = [];
  // EJS tags become a marker; their code is checked separately.
  const markup = source
    .replace(/<%#[\s\S]*?%>/g, "")
    .replace(/<%[-=_]?([\s\S]*?)[-_]?%>/g, (_match, inner: string) => {
      code.push(inner);
      return "\u0000";
    })
    .replace(/<!--[\s\S]*?-->/g, "")
    // Scripts, styles and code samples (<pre>, <code>) are not prose.
    .replace(/<(script|style|pre|code)\b[^>]*>[\s\S]*?<\/\1>/gi, "");
  for (const match of markup.matchAll(/>([^<>]*)</g)) {
    const text = match[1]!.replace(/\u0000/g, " ").trim();
    if (text && hasWords(text)) found.push(text);
  }
  for (const tag of markup.matchAll(/<([a-z][\w-]*)\b([^<>]*)>/gi)) {
    const [, name, attributes] = tag;
    for (const attribute of attributes!.matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      const attributeName = attribute[1]!.toLowerCase();
      const value = (attribute[3] ?? attribute[4] ?? "").replace(/\u0000/g, " ");
      const visible = VISIBLE_ATTRIBUTES.includes(attributeName) || (attributeName === "value" && /^input$/i.test(name!) && /type\s*=\s*["']?(submit|button|reset)/i.test(attributes!));
      if (visible && hasWords(value)) found.push(`${attributeName}="${value}"`);
    }
  }
  for (const inner of code) {
    for (const option of inner.matchAll(new RegExp(`\\b(${CODE_OPTIONS.join("|")})\\s*:\\s*(['"])((?:(?!\\2).)*)\\2`, "g"))) {
      if (hasWords(option[3]!)) found.push(`${option[1]}: '${option[3]}'`);
    }
  }
  return found;
}

describe("views", () => {
  const files = viewFiles(path.resolve(LOCALES_DIR, "../views"));

  it("the literal-text check finds text, attributes and partial options, and lets keys and names through", () => {
    expect(literalTextIn("<p>Hello <%= name %></p>")).toEqual(["Hello"]);
    expect(literalTextIn('<img alt="Your avatar" src="<%= url %>">')).toEqual(['alt="Your avatar"']);
    expect(literalTextIn("<%- include('x', { label: 'Username' }) %>")).toEqual(["label: 'Username'"]);
    expect(literalTextIn('<input type="submit" value="Save">')).toEqual(['value="Save"']);
    expect(literalTextIn("<h1><%= t('a:b') %></h1><a>◆ Latchkey</a><p>(<%= n %>) · —</p><input value=\"abc\">")).toEqual([]);
    expect(literalTextIn("<%# a comment with words %><script>const words = 1;</script>")).toEqual([]);
  });

  it("hold no literal user-facing text (everything goes through t)", () => {
    const offenders: Record<string, string[]> = {};
    for (const file of files) {
      const found = literalTextIn(readFileSync(file, "utf8"));
      if (found.length) offenders[path.relative(path.resolve(LOCALES_DIR, ".."), file)] = found;
    }
    expect(offenders).toEqual({});
  });

  it("use only keys that exist in both languages", () => {
    const en = keysOf("en");
    const missing = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bth?\(\s*'([a-z][\w-]*:[\w.-]+)'/g)) {
        // A key built at run time ('ns:prefix.' + value) is checked by the pages that show it.
        if (!match[1]!.endsWith(".") && !en.has(match[1]!)) missing.add(`${path.basename(file)}: ${match[1]}`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
