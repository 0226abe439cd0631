import { readdirSync, statSync } from "node:fs";
import path from "node:path";

// Reads the project's import statements: used by the architecture test
// (test/platform/architecture.test.ts) and `npm run graph`.
export const root = path.resolve(import.meta.dirname, "..");

export function sourceFiles(directory: string): string[] {
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

export type Layer = { kind: "config" | "platform" | "db" | "web" | "app" | "server" | "jobs" | "other" } | { kind: "module"; name: string; file: string };

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

