import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findCycles, importsOf, layerOf, root, sourceFiles, violation } from "../../scripts/imports.js";

// The layers point down (docs/architecture.md):
//   config.ts <- platform/ <- web/ <- modules/<feature>/ <- app.ts <- server.ts
// A module reaches another module only through its index.ts; nothing but
// server.ts imports app.ts; and no file depends on itself through others.
// These checks read the real import statements, so a new violation fails.
const files = [...sourceFiles(path.join(root, "src")), ...sourceFiles(path.join(root, "jobs"))];
const imports = files.flatMap((file) => importsOf(file, readFileSync(file, "utf8")));
const rel = (file: string) => path.relative(root, file);

describe("architecture", () => {
  it("finds the imports it checks (the parser is not blind)", () => {
    expect(imports.length).toBeGreaterThan(300);
    expect(imports.some((i) => rel(i.from) === "src/app.ts" && rel(i.to) === "src/web/sections.ts")).toBe(true);
  });

  it("layers only point down: platform imports no feature or web code, modules meet only through index.ts, nothing imports app.ts but server.ts", () => {
    const offenders = imports.flatMap((i) => {
      const why = violation(i);
      return why ? [`${rel(i.from)} -> ${rel(i.to)}: ${why}`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it("has no import cycle between files (type-only imports included)", () => {
    const edges = new Map<string, string[]>();
    for (const i of imports) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
    expect(findCycles(edges).map((cycle) => cycle.map(rel).join(" -> "))).toEqual([]);
  });

  it("has no cycle between modules", () => {
    const edges = new Map<string, string[]>();
    for (const i of imports) {
      const [from, to] = [layerOf(i.from), layerOf(i.to)];
      if (from.kind === "module" && to.kind === "module" && from.name !== to.name) edges.set(from.name, [...(edges.get(from.name) ?? []), to.name]);
    }
    expect(findCycles(edges).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("touches the session only through the sign-in pipeline and typed slots", () => {
    const owners = new Set(["src/web/sign-in/session-auth.ts", "src/web/session/slots.ts", "src/web/session/store.ts"]);
    const offenders = files
      .filter((file) => !owners.has(rel(file)))
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .map((line, index) => ({ line, where: `${rel(file)}:${index + 1}` }))
          .filter(({ line }) => /\breq\.session\.|\bsession\.(userId|workspaceId|signedInAt|authenticatedAt|lastSeenAt|limits|factors|handle)\s*=/.test(line))
          .map(({ where }) => where),
      );
    expect(offenders).toEqual([]);
  });

  it("would catch a planted violation of each rule", () => {
    const at = (file: string) => path.join(root, file);
    expect(violation({ from: at("src/platform/mail.ts"), to: at("src/modules/users/repo.ts"), typeOnly: true })).not.toBeNull();
    expect(violation({ from: at("src/platform/mail.ts"), to: at("src/web/render.ts"), typeOnly: false })).not.toBeNull();
    expect(violation({ from: at("src/web/guards.ts"), to: at("src/modules/users/index.ts"), typeOnly: false })).not.toBeNull();
    expect(violation({ from: at("src/modules/auth/routes.ts"), to: at("src/modules/users/repo.ts"), typeOnly: false })).not.toBeNull();
    expect(violation({ from: at("src/modules/auth/routes.ts"), to: at("src/app.ts"), typeOnly: true })).not.toBeNull();
    expect(violation({ from: at("src/modules/auth/routes.ts"), to: at("src/modules/users/index.ts"), typeOnly: false })).toBeNull();
    const parsed = importsOf(at("src/web/x.ts"), 'import type { A } from "../modules/a/b.js";\nexport { c } from "./c.js";\nconst d = await import("./d.js");');
    expect(parsed.map((i) => [rel(i.to), i.typeOnly])).toEqual([
      ["src/modules/a/b.ts", true],
      ["src/web/c.ts", false],
      ["src/web/d.ts", false],
    ]);
    expect(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual([["a", "b", "c", "a"]]);
  });
});
