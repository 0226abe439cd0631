// What bench/run.ts and bench/server.ts agree on (kept apart so importing it
// never starts a server).
import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../src/platform/paths.js";

export type ServerMode = "floor" | "floor-db" | "app";

export type ServerMessage =
  | { type: "ready"; port: number }
  | { type: "error"; message: string }
  // Answer to "cpu": process.cpuUsage() of the server, in microseconds.
  | { type: "cpu"; user: number; system: number }
  // Answer to "memory": process.memoryUsage() of the server, in bytes.
  | { type: "memory"; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  // Answer to "heap": the V8 heap's physical size by space (new, old, large
  // objects, code...) and what V8 itself malloc()ed, in bytes.
  | { type: "heap"; spaces: Record<string, number>; malloced: number }
  // Answer to { type: "profile", file? }: profiling started, or stopped and written to file.
  | { type: "profile" };

export const FLOOR_SIGN_IN_PATH = "/bench/sign-in";
export const FLOOR_PAGE_PATH = "/page";

// Sends a request to a bench server and waits for its answer of that type.
export function askServer<T extends "cpu" | "memory" | "heap" | "profile">(
  child: ChildProcess,
  type: T,
  request: string | object = type,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: ServerMessage) => {
      if (message.type !== type) return;
      child.off("message", listener);
      resolve(message as Extract<ServerMessage, { type: T }>);
    };
    child.on("message", listener);
    child.send(request);
  });
}

// How the bench runs bench/server.ts. As production runs the app: compiled
// (dist/bench/server.js, built together with dist/src by `npm run build`,
// tsconfig.build.json), with source maps on as scripts/start.cjs turns them
// on. Through the tsx loader when dist/ cannot be built (typescript missing,
// a type error) or when BENCH_RUNTIME=tsx asks for it (to compare the two);
// tsx's loader thread and transforms then count in the server's CPU and RSS.
export interface ServerRuntime {
  kind: "compiled" | "tsx";
  entry: string;
  execArgv: string[];
  // Why it is not compiled, when it is not.
  note?: string;
}

let runtime: ServerRuntime | undefined;

export function benchServerRuntime(): ServerRuntime {
  runtime ??= chooseRuntime();
  return runtime;
}

function chooseRuntime(): ServerRuntime {
  const tsx = (note: string): ServerRuntime => ({ kind: "tsx", entry: path.join(projectRoot, "bench/server.ts"), execArgv: ["--import", "tsx"], note });
  if (process.env.BENCH_RUNTIME === "tsx") return tsx("BENCH_RUNTIME=tsx");
  const entry = path.join(projectRoot, "dist/bench/server.js");
  try {
    // (Re)builds dist/ when it is missing or older than a source file; exits 1 when it cannot.
    execFileSync(process.execPath, [path.join(projectRoot, "scripts/start.cjs"), "--build-only"], { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
  } catch {
    return tsx("dist/ could not be built");
  }
  if (!existsSync(entry)) return tsx(`${path.relative(projectRoot, entry)} missing after the build`);
  return { kind: "compiled", entry, execArgv: ["--enable-source-maps"] };
}

export function describeRuntime(runtime: ServerRuntime): string {
  const entry = path.relative(projectRoot, runtime.entry);
  return runtime.kind === "compiled" ? `compiled JavaScript (node ${entry})` : `the tsx loader (node --import tsx ${entry}; ${runtime.note})`;
}

// The memory settings `npm start` runs the server with (package.json: V8 heap
// flags, MALLOC_* variables), so the memory figures are those of the real process.
function startScript(): string {
  const manifest = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  return manifest.scripts.start ?? "";
}

export function startScriptHeapFlags(): string[] {
  return startScript().match(/--max-[\w-]+=\d+/g) ?? [];
}

// MALLOC_* as `npm start` sets them, and UV_THREADPOOL_SIZE as
// scripts/start.cjs sizes it (cores + 2) unless this environment sets it.
export function startScriptEnv(): Record<string, string> {
  return {
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(os.availableParallelism() + 2),
    ...Object.fromEntries([...startScript().matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!])),
  };
}
