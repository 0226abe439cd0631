import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The project's root directory (the one holding package.json, views/,
// public/, locales/ and src/db/migrations), found from this file whether it
// runs as TypeScript (src/platform/paths.ts through tsx) or compiled
// (dist/src/platform/paths.js): a path relative to the module would point
// into dist/ in the second case.
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "views"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no project root (package.json and views/) above ${start}`);
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
