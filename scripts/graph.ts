import { readFileSync } from "node:fs";
import path from "node:path";
import { importsOf, layerOf, root, sourceFiles } from "./imports.js";

// Prints which module uses which (`npm run graph`), lowest first: the picture
// the architecture test keeps free of cycles.
const files = [...sourceFiles(path.join(root, "src")), ...sourceFiles(path.join(root, "jobs"))];
const uses = new Map<string, Set<string>>();
for (const file of files) {
  const from = layerOf(file);
  const name = from.kind === "module" ? from.name : from.kind;
  for (const { to } of importsOf(file, readFileSync(file, "utf8"))) {
    const target = layerOf(to);
    const targetName = target.kind === "module" ? target.name : target.kind;
    if (targetName !== name) (uses.get(name) ?? uses.set(name, new Set()).get(name)!).add(targetName);
  }
  if (!uses.has(name)) uses.set(name, new Set());
}
const depth = new Map<string, number>();
const depthOf = (name: string): number => depth.get(name) ?? (depth.set(name, 0), depth.set(name, 1 + Math.max(-1, ...[...(uses.get(name) ?? [])].map(depthOf))).get(name)!);
for (const name of [...uses.keys()].sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b))) {
  console.log(`${name.padEnd(12)} -> ${[...uses.get(name)!].sort().join(", ") || "(nothing)"}`);
}
