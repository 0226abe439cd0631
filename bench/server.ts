// One server under test, in its own process so it does not share an event
// loop (or a core) with the load generator. bench/run.ts forks this file with
// `floor` or `app` and the app's environment in BENCH_APP_ENV, and gets the
// port back over IPC. Always listens on 127.0.0.1. It runs compiled
// (dist/bench/server.js, as production runs dist/src) unless dist/ cannot be
// built (benchServerRuntime() in protocol.ts).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import v8 from "node:v8";
import { eq, sql } from "drizzle-orm";
import express from "express";
import { createApp } from "../src/app.js";
import { users } from "../src/modules/users/index.js";
import { loadConfig } from "../src/config.js";
import { buildDeps, type Deps } from "../src/platform/deps.js";
import { limitsOf } from "../src/web/session/limits.js";
import { createSessionStore, sessionMiddleware } from "../src/web/session/store.js";
import { createLogger } from "../src/platform/logger.js";
import { projectRoot } from "../src/platform/paths.js";
import { FLOOR_PAGE_PATH, FLOOR_SIGN_IN_PATH, type ServerMessage, type ServerMode } from "./protocol.js";

// The floor: Express 5, the app's own Redis session store and cookie, and a
// small EJS page from the view cache. No CSRF, no helmet: what a signed-in
// page costs before the app does anything of its own. (a) reads no database;
// (a2) `withUserRead` adds one primary-key read of the signed-in user's row
// through the app's own driver and pool (drizzle over pg, a prepared
// statement), because a real signed-in page must load its user.
function createFloorApp(deps: Deps, label: string, withUserRead: boolean, userId: string) {
  const readUser = deps.db.select().from(users).where(eq(users.id, sql.placeholder("id"))).prepare("bench_floor_user");
  const app = express();
  app.set("view engine", "ejs");
  // From the project root: compiled, this file runs from dist/bench/.
  app.set("views", path.join(projectRoot, "bench", "views"));
  app.set("view cache", true);
  app.set("x-powered-by", false);
  app.use(sessionMiddleware(deps, createSessionStore(deps)));

  // Stores the same fields signIn() does, so the floor reads a session of the
  // same shape and size as the app's.
  app.post(FLOOR_SIGN_IN_PATH, (req, res, next) => {
    const now = deps.clock.now().getTime();
    Object.assign(req.session, {
      userId,
      workspaceId: "00000000-0000-4000-8000-000000000001",
      signedInAt: now,
      authenticatedAt: now,
      lastSeenAt: now,
      limits: limitsOf(undefined),
      ip: req.ip ?? "unknown",
      userAgent: String(req.headers["user-agent"] ?? "").slice(0, 500),
    });
    req.session.save((error) => (error ? next(error) : res.status(204).end()));
  });

  app.get(FLOOR_PAGE_PATH, async (req, res) => {
    if (!req.session.userId) return void res.status(401).end();
    let username = "bench";
    if (withUserRead) {
      const [user] = await readUser.execute({ id: req.session.userId });
      if (!user) return void res.status(401).end();
      username = user.username;
    }
    res.setHeader("Cache-Control", "no-store");
    res.render("floor", { username, workspaceName: label, limits: req.session.limits });
  });
  return app;
}

async function main(): Promise<void> {
  const mode = process.argv[2] as ServerMode;
  if (mode !== "floor" && mode !== "floor-db" && mode !== "app") throw new Error(`usage: server.ts floor|floor-db|app (got ${mode})`);
  const env = JSON.parse(process.env.BENCH_APP_ENV ?? "{}") as Record<string, string>;
  const config = loadConfig(env);
  const deps = await buildDeps(config, { logger: createLogger("silent") });
  const app = mode === "app" ? createApp(deps) : createFloorApp(deps, process.env.BENCH_LABEL ?? "bench", mode === "floor-db", process.env.BENCH_USER_ID ?? "00000000-0000-4000-8000-000000000000");
  const server = app.listen(0, "127.0.0.1", () => {
    process.send?.({ type: "ready", port: (server.address() as AddressInfo).port } satisfies ServerMessage);
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await deps.close();
    process.exit(0);
  };
  process.on("message", (message) => {
    if (message === "stop") void stop();
    // The same V8 CPU profiler as --cpu-prof, started and stopped around the
    // measured load only (boot and warm-up would otherwise dominate it).
    if (typeof message === "object" && message && (message as { type?: string }).type === "profile") void profile((message as { file?: string }).file);
    if (message === "cpu") process.send?.({ type: "cpu", ...process.cpuUsage() } satisfies ServerMessage);
    // bench/memory-probe.ts runs the server with --expose-gc.
    if (message === "gc") (globalThis as { gc?: () => void }).gc?.();
    if (message === "memory") {
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send?.({ type: "memory", rss, heapUsed, external, arrayBuffers } satisfies ServerMessage);
    }
    if (message === "heap") {
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.physical_space_size]));
      process.send?.({ type: "heap", spaces, malloced: v8.getHeapStatistics().malloced_memory } satisfies ServerMessage);
    }
  });
  let session: Session | undefined;
  const profile = async (file: string | undefined) => {
    if (!file) {
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 500 });
      await session.post("Profiler.start");
    } else if (session) {
      const { profile: result } = await session.post("Profiler.stop");
      writeFileSync(file, JSON.stringify(result));
      session.disconnect();
      session = undefined;
    }
    process.send?.({ type: "profile" } satisfies ServerMessage);
  };
  // The harness went away (crashed or interrupted): do not linger.
  process.on("disconnect", () => void stop());
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (process.send) process.send({ type: "error", message } satisfies ServerMessage, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
});
