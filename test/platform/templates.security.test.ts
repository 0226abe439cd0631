import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { translatorFor } from "../../src/platform/i18n.js";
import { escapeForView, Markup, translateMarkup } from "../../src/web/i18n.js";

// SECURITY.md: "<%-" only for our own partials, and request input never passed
// to render. These checks read every template and source file, so a new
// violation fails the suite. Each check is one function, run both on the real
// files and on planted violations, so the planted test exercises the very
// code that guards the real files.
const root = path.resolve(import.meta.dirname, "../..");

function filesUnder(directory: string, extension: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return filesUnder(full, extension);
    return full.endsWith(extension) ? [full] : [];
  });
}

// 1-based line numbers of `<%-` outputs that are not `include(...)`. Our own
// markup (th, fmt.timeTag, jsonForScript, and what include() returns, such as
// the layout's `pageBody`) is printed with `<%=`: escapeForView in
// web/i18n.ts passes it through and escapes everything else.
function findUnsafeOutput(template: string): number[] {
  // Over the whole template: an output may span lines.
  return [...template.matchAll(/<%-([\s\S]*?)%>/g)]
    .filter((match) => !/^\s*include\(/.test(match[1]!))
    .map((match) => template.slice(0, match.index).split("\n").length);
}

// 1-based line numbers where request input goes straight to a view.
function findRequestInputRendered(source: string): number[] {
  return source
    .split("\n")
    .flatMap((line, index) =>
      /(render|renderPage|renderForm|renderFragment)\(.*\breq\.(query|body|params)\b/.test(line) || /\.\.\.req\.(query|body|params)\b/.test(line) ? [index + 1] : [],
    );
}

// Whether a template has inline script, inline style, inline handlers or
// htmx's eval hooks, which the CSP blocks (or which would need unsafe-eval).
function hasInlineCode(template: string): boolean {
  // A JSON data block is not code: the browser never runs it.
  return /<script(?![^>]*\b(src=|type="application\/json"))[^>]*>/.test(template) || /\sstyle=/.test(template) || /\son[a-z]+=/.test(template) || /hx-on|js:/.test(template);
}

function where(file: string, lines: number[]): string[] {
  return lines.map((line) => `${path.relative(root, file)}:${line}`);
}

describe("templates and rendering", () => {
  it("use <%- only to include partials", () => {
    const offenders = filesUnder(path.join(root, "views"), ".ejs").flatMap((file) => where(file, findUnsafeOutput(readFileSync(file, "utf8"))));
    expect(offenders).toEqual([]);
  });

  it("never pass req.query, req.body or req.params straight to a view", () => {
    const offenders = filesUnder(path.join(root, "src"), ".ts").flatMap((file) => where(file, findRequestInputRendered(readFileSync(file, "utf8"))));
    expect(offenders).toEqual([]);
  });

  it("load no inline script or style, which the CSP would block anyway", () => {
    const offenders = filesUnder(path.join(root, "views"), ".ejs").filter((file) => hasInlineCode(readFileSync(file, "utf8")));
    expect(offenders.map((file) => path.relative(root, file))).toEqual([]);
  });

  it("a planted violation would be caught, and the allowed forms are not", () => {
    expect(findUnsafeOutput("<p>\n<%- user.name %>\n</p>")).toEqual([2]);
    expect(findUnsafeOutput('<%- include("partials/x") %> <%-body%>')).toEqual([1]);
    expect(findUnsafeOutput('<%- include("partials/x", { a: 1 }) %>\n<%= user.name %>')).toEqual([]);
    expect(findUnsafeOutput("<%- pageBody %>\n<%- pageBody.x %>")).toEqual([1, 2]);
    expect(findUnsafeOutput("<%- th('a:b', { who: user.name }) %>\n<%- fmt.timeTag(at) %>\n<%- t('a:b', { who: user.name }) %>")).toEqual([1, 2, 3]);
    expect(findUnsafeOutput("<p>\n<%- JSON.stringify({\n  a: user.name\n}) %>")).toEqual([2]);
    expect(findUnsafeOutput("<%- jsonForScript({\n  a: 1\n}) %>")).toEqual([1]);

    expect(findRequestInputRendered('res.render("x", req.query)')).toEqual([1]);
    expect(findRequestInputRendered('ok();\nrenderPage(res, "x", { values: req.body })')).toEqual([2]);
    expect(findRequestInputRendered('renderFragment(res, "x", req.params)')).toEqual([1]);
    expect(findRequestInputRendered("const data = { ...req.query };")).toEqual([1]);
    expect(findRequestInputRendered('const input = parseInput(schema, req.body);\nrenderPage(res, "x", { input })')).toEqual([]);

    expect(hasInlineCode("<script>alert(1)</script>")).toBe(true);
    expect(hasInlineCode('<script nonce="x">alert(1)</script>')).toBe(true);
    expect(hasInlineCode('<div style="color: red">')).toBe(true);
    expect(hasInlineCode('<button onclick="go()">')).toBe(true);
    expect(hasInlineCode('<form hx-on::after-request="x">')).toBe(true);
    expect(hasInlineCode("<div hx-vals='js:{a: 1}'>")).toBe(true);
    expect(hasInlineCode('<script src="/static/app.js" defer></script>\n<p class="note">')).toBe(false);
    expect(hasInlineCode('<script type="application/json" id="x">{}</script>')).toBe(false);
    expect(hasInlineCode('<script type="module">go()</script>')).toBe(true);
  });

  it("th escapes every variable of a translation holding markup, except markup we made", () => {
    const t = translatorFor("en");
    const html = translateMarkup(t, "contact:sentTo", { testid: 'x" onmouseover="alert(1)', target: "<img src=x onerror=alert(1)>" }).toString();
    expect(html).not.toContain("<img");
    expect(html).not.toContain('" onmouseover');
    expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;");
    const time = new Markup('<time datetime="2026-11-24T00:00:00.000Z">now</time>');
    expect(translateMarkup(t, "password:change.lastChanged", { when: time }).toString()).toContain("<time datetime=");
    // <%= %> prints our markup as it is and escapes everything else.
    expect(escapeForView(time)).toBe(time.toString());
    expect(escapeForView('<time datetime="x">')).toBe("&lt;time datetime=&#34;x&#34;&gt;");
  });
});
