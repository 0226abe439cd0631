// `npm start` (and the Docker image's command): sizes the libuv threadpool,
// then runs the server compiled (dist/) in production and through tsx
// otherwise. CommonJS on purpose: an ES module entry is read through the
// threadpool before its first line runs, too late to size it.
//
//   node scripts/start.cjs               the web server (src/server.ts)
//   node scripts/start.cjs --build-only  (re)build dist/ if stale, then exit
//
// Production (NODE_ENV=production) runs dist/src/server.js, building it first
// when dist/ is missing or older than a source file (needs the dev
// dependency `typescript`; without it, it falls back to tsx with a warning).
// Development runs src/server.ts through tsx, so `npm ci && npm start` works
// on a fresh clone and edits need no build.
"use strict";
const os = require("node:os");

// The libuv threadpool runs argon2 (password hashing and verification), and
// also fs, dns.lookup, async crypto and sharp. Argon2 (parallelism 1) keeps
// one thread busy per hash; src/platform/crypto/passwords.ts lets at most one
// hash per core run at once, so the pool gets two more threads than cores:
// argon2 can use every core while a queue of sign-ins never holds up a static
// file, a DNS lookup or a session id behind it. Read once, at the pool's first
// use: it must be set before anything touches the pool.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(os.availableParallelism() + 2);

const { spawnSync } = require("node:child_process");
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const cluster = require("node:cluster");
const { pathToFileURL } = require("node:url");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".built");
const entry = path.join(root, "dist", "src", "server.js");

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ["src", "jobs"]) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  // (The Docker image holds no .ts file and no tsconfig: its dist/ is always fresh.)
  // bench/server.ts and bench/protocol.ts: the bench's server under test, also compiled.
  for (const file of ["tsconfig.json", "tsconfig.build.json", "bench/server.ts", "bench/protocol.ts"]) {
    const full = path.join(root, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  return existsSync(stamp) && existsSync(entry) && statSync(stamp).mtimeMs >= newestSource();
}

// True when dist/ is fresh afterwards.
function build() {
  if (compiledIsFresh()) return true;
  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  } catch {
    console.warn("dist/ is missing or stale and typescript is not installed (npm ci --omit=dev?): running through tsx instead");
    return false;
  }
  const startedAt = Date.now();
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.warn("npm run build failed: running through tsx instead");
    return false;
  }
  // Dated when the build started: a file saved during the build makes dist/ stale.
  writeFileSync(stamp, `${new Date(startedAt).toISOString()}\n`);
  utimesSync(stamp, new Date(startedAt), new Date(startedAt));
  return true;
}

if (process.argv.includes("--build-only")) {
  process.exit(build() ? 0 : 1);
}

const production = process.env.NODE_ENV === "production";
// Only the cluster primary builds; web workers re-run this file and find dist/ fresh.
const compiled = production && (cluster.isPrimary ? build() : compiledIsFresh());
if (compiled) {
  process.setSourceMapsEnabled(true);
  import(pathToFileURL(entry).href);
} else {
  // Exactly what `node --import tsx` loads (tsx's loader registers itself).
  import("tsx").then(() => import(pathToFileURL(path.join(root, "src", "server.ts")).href));
}
