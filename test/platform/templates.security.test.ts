import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// SECURITY.md: "<%-" only for our own partials, and request input never passed
// to render. These checks read every template and source file, so a new
// violation fails the suite.
const root = path.resolve(import.meta.dirname, "../..");

function filesUnder(directory: string, extension: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return filesUnder(full, extension);
    return full.endsWith(extension) ? [full] : [];
  });
}

describe("templates and rendering", () => {
  it("use <%- only to include partials", () => {
    const offenders = filesUnder(path.join(root, "views"), ".ejs").flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, index) => [...line.matchAll(/<%-(.*?)%>/g)].filter((match) => !/^\s*include\(/.test(match[1]!)).map(() => `${path.relative(root, file)}:${index + 1}`)),
    );
    expect(offenders).toEqual([]);
  });

  it("never pass req.query, req.body or req.params straight to a view", () => {
    const offenders = filesUnder(path.join(root, "src"), ".ts").flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, index) => ({ line, where: `${path.relative(root, file)}:${index + 1}` }))
        .filter(({ line }) => /(render|renderPage|renderForm)\(.*\breq\.(query|body|params)\b/.test(line) || /\.\.\.req\.(query|body|params)\b/.test(line))
        .map(({ where }) => where),
    );
    expect(offenders).toEqual([]);
  });

  it("load no inline script or style, which the CSP would block anyway", () => {
    const offenders = filesUnder(path.join(root, "views"), ".ejs").filter((file) => {
      const text = readFileSync(file, "utf8");
      return /<script(?![^>]*\bsrc=)[^>]*>/.test(text) || /\sstyle=/.test(text) || /\son[a-z]+=/.test(text) || /hx-on|js:/.test(text);
    });
    expect(offenders.map((file) => path.relative(root, file))).toEqual([]);
  });

  it("a planted violation would be caught", () => {
    expect(/<%-(.*?)%>/.exec("<%- user.name %>")![1]).not.toMatch(/^\s*include\(/);
    expect(/(render|renderPage|renderForm)\(.*\breq\.(query|body|params)\b/.test('res.render("x", req.query)')).toBe(true);
  });
});
