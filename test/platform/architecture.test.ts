import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The layers point down (docs/architecture.md):
//   config.ts <- platform/ <- web/ <- modules/<feature>/ <- app.ts <- server.ts
// A module reaches another module only through its index.ts; nothing but
// server.ts imports app.ts; and no file depends on itself through others.
// These checks read the real import statements, so a new violation fails.
const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return name === "migrations" ? [] : sourceFiles(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

export interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

// Every relative import and re-export of a file (static, dynamic, type-only).
export function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)|(?:^|\n)\s*import\s+["'](\.[^"']+)["']/g;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[3] ?? match[4] ?? match[5]!;
    const resolved = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
    found.push({ from: file, to: resolved, typeOnly: Boolean(match[2]) });
  }
  return found;
}

type Layer = { kind: "config" | "platform" | "db" | "web" | "app" | "server" | "jobs" | "other" } | { kind: "module"; name: string; file: string };

export function layerOf(file: string): Layer {
  const relative = path.relative(root, file).split(path.sep).join("/");
  if (relative === "src/config.ts") return { kind: "config" };
  if (relative === "src/app.ts") return { kind: "app" };
  if (relative === "src/server.ts") return { kind: "server" };
  if (relative.startsWith("src/platform/")) return { kind: "platform" };
  if (relative.startsWith("src/db/")) return { kind: "db" };
  if (relative.startsWith("src/web/")) return { kind: "web" };
  if (relative.startsWith("jobs/")) return { kind: "jobs" };
  const module = /^src\/modules\/([^/]+)\/(.+)$/.exec(relative);
  if (module) return { kind: "module", name: module[1]!, file: module[2]! };
  return { kind: "other" };
}

// Why an import breaks the layering, or null when it is allowed.
export function violation({ from, to }: Import): string | null {
  const source = layerOf(from);
  const target = layerOf(to);
  if (target.kind === "app" && source.kind !== "server") return "only server.ts imports app.ts";
  if (target.kind === "server") return "nothing imports server.ts";
  switch (source.kind) {
    case "config":
      return "config.ts imports nothing from the project";
    case "platform":
      return ["config", "platform"].includes(target.kind) ? null : "platform/ imports only platform/ and config.ts";
    case "web":
      return ["config", "platform", "web"].includes(target.kind) ? null : "web/ imports only web/, platform/ and config.ts";
    case "module": {
      if (["config", "platform", "web"].includes(target.kind)) return null;
      if (target.kind !== "module") return "a module imports only platform/, web/ and modules";
      if (target.name === source.name) return null;
      return target.file === "index.ts" ? null : `a module imports another module only through its index.ts (${target.name}/${target.file})`;
    }
    case "app":
    case "jobs":
      if (target.kind === "module" && target.file !== "index.ts") return `composition imports modules only through their index.ts (${target.name}/${target.file})`;
      return null;
    case "db":
      // schema.ts gathers every table for drizzle-kit's migrations.
      return target.kind === "module" && target.file !== "tables.ts" ? "db/ reads only the modules' tables.ts" : null;
    default:
      return null;
  }
}

// Every cycle in a graph, each as the list of files around it.
export function findCycles(edges: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

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
