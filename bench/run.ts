// `npm run bench`: how close the signed-in page and the sign-in path come to
// what this machine can do at best. Everything runs on loopback against a
// throwaway database and Redis key prefix, which are removed at the end.
//
//   (a)  floor  Express 5 + the app's Redis session store + a cached EJS page
//   (a2) floor  (a) + one PostgreSQL primary-key read of the user row
//               through the app's driver and pool
//   (b)  app    createApp(deps) serving the signed-in GET /w/:slug, then a
//               CPU profile of it (--cpu-prof, top self-time functions)
//   sign-ins    concurrent POST /login over HTTP (each with its own fresh
//               session and CSRF token) against raw argon2.verify calls,
//               alone and beside a page load (the page's p99 meanwhile)
//   processes   the real entry point: boot time and RSS of compiled
//               JavaScript (dist/) against the tsx loader, and 1 against 2
//               web processes (WEB_CONCURRENCY=2) on the page
//
// BENCH_ONLY=pages|sign-ins|processes|purge (comma-separated) runs a part.
// The servers of (a), (a2), (b) and the sign-ins run compiled JavaScript
// (dist/bench/server.js, built first if stale) as production does, or the tsx
// loader when dist/ cannot be built or BENCH_RUNTIME=tsx; the header says which.

// Figures are printed with their targets, never asserted: the exit code only
// says whether the bench itself ran.
import { execFile, execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import argon2 from "argon2";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { openDatabase, type Database } from "../src/platform/db.js";
import { ARGON2_OPTIONS } from "../src/platform/crypto/passwords.js";
import { createUser, createWorkspace, DEFAULT_PASSWORD, signedInClient } from "../test/helpers/factories.js";
import { HttpClient } from "../test/helpers/http-client.js";
import {
  askServer,
  benchServerRuntime,
  describeRuntime,
  FLOOR_PAGE_PATH,
  FLOOR_SIGN_IN_PATH,
  startScriptEnv,
  startScriptHeapFlags,
  type ServerMessage,
  type ServerMode,
} from "./protocol.js";

// Only local services, only loopback.
const ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = "redis://127.0.0.1:6379";

const CONNECTIONS = 32;
const DURATION_SECONDS = 8;
const WARMUP_SECONDS = 2;
const PROFILE_SECONDS = 5;
const SIGN_IN_CONCURRENCY = 32;
const SIGN_IN_TARGET_SECONDS = 6;
const ARGON2_SECONDS = 6;
// The page load beside the sign-ins: a few browsers clicking around, not a flood.
const PARALLEL_PAGE_CONNECTIONS = 4;

const TARGET_RATIO = 0.8; // (b) against (a2), req/s
const TARGET_CPU_RATIO = 1.5; // (b) against (a2), server CPU per request
const TARGET_P99_MS = 40;
const TARGET_SIGN_IN_RATIO = 0.9;
const TARGET_PARALLEL_P99_MS = 100;
const TARGET_PROCESSES_RATIO = 1.4;
const only = new Set((process.env.BENCH_ONLY ?? "pages,sign-ins,processes,purge").split(",").map((part) => part.trim()));

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(benchDir, "..");

interface PageFigures {
  label: string;
  // Server RSS sampled every 500 ms while the load ran: the highest and the last.
  rssPeakMb: number;
  rssEndMb: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  // Server-process CPU per request: less sensitive to other load on the machine than req/s.
  cpuPerRequestMs: number;
  // Redis commands the server sent per request (INFO's total_commands_processed
  // delta): the cost of session loading and limit enforcement.
  redisCommandsPerRequest: number;
}

async function redisCommandsProcessed(): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const stats = await redis.info("stats");
    return Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

interface RateFigures {
  perSecond: number;
  count: number;
  seconds: number;
  // CPU of the measured process per operation (argon2: this process; sign-ins: the server).
  cpuPerOperationMs: number;
}

interface SignInFigures extends RateFigures {
  attempts: number;
  statuses: Map<number, number>;
  p50: number;
  p99: number;
}

// ---------------------------------------------------------------- resources

class Resources {
  readonly id = randomBytes(4).toString("hex");
  readonly databaseName = `bench_${this.id}`;
  readonly redisPrefix = `bench-${this.id}:`;
  readonly dataDir = mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-"));
  database: Database | undefined;
  private databaseCreated = false;
  private children = new Set<ChildProcess>();
  private cleaned = false;

  databaseUrl(): string {
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${this.databaseName}`;
    return url.toString();
  }

  appEnv(): Record<string, string> {
    return {
      // production: the view cache is on, as it is for real users.
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
      SECRET_KEY: randomBytes(32).toString("base64url"),
      DATABASE_URL: this.databaseUrl(),
      REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      DATA_DIR: this.dataDir,
      IN_PROCESS_WORKER: "false",
    };
  }

  async createDatabase(): Promise<Database> {
    await withAdmin((admin) => admin.query(`create database ${this.databaseName}`));
    this.databaseCreated = true;
    this.database = await openDatabase({ databaseUrl: this.databaseUrl(), dataDir: this.dataDir });
    await this.database.migrate();
    return this.database;
  }

  track(child: ChildProcess): void {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
  }

  async cleanUp(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const child of this.children) child.kill("SIGTERM");
    await this.database?.close().catch(() => {});
    if (this.databaseCreated) {
      await withAdmin((admin) => admin.query(`drop database if exists ${this.databaseName} with (force)`)).catch((error: unknown) =>
        console.error(`could not drop database ${this.databaseName}: ${(error as Error).message}`),
      );
    }
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let deleted = 0;
      for await (const keys of redis.scanStream({ match: `${this.redisPrefix}*`, count: 500 }) as AsyncIterable<string[]>) {
        if (keys.length) deleted += await redis.unlink(...keys);
      }
      if (deleted) console.log(`\ncleaned up: database ${this.databaseName}, ${deleted} Redis keys under ${this.redisPrefix}`);
    } catch (error) {
      console.error(`could not delete Redis keys ${this.redisPrefix}*: ${(error as Error).message}`);
    } finally {
      redis.disconnect();
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------- servers

interface RunningServer {
  baseUrl: string;
  // CPU time the server process has used so far, in milliseconds.
  cpuMs(): Promise<number>;
  memory(): Promise<MemoryFigures>;
  // Starts the server's CPU profiler; with a file, stops it and writes the profile there.
  profile(file?: string): Promise<void>;
  stop(): Promise<void>;
}

// The server process's memory, in MB.
interface MemoryFigures {
  rss: number;
  heapUsed: number;
  external: number;
}

// Each server runs in its own process, so autocannon (here) and the server
// under test do not share an event loop.
async function startServer(resources: Resources, mode: ServerMode, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunningServer> {
  const runtime = benchServerRuntime();
  const child = fork(runtime.entry, [mode], {
    cwd: projectRoot,
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
    execArgv: [...runtime.execArgv, ...startScriptHeapFlags(), ...nodeArgs, ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean)],
    env: { ...startScriptEnv(), ...process.env, ...extraEnv, BENCH_APP_ENV: JSON.stringify(resources.appEnv()) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  resources.track(child);
  const port = await new Promise<number>((resolve, reject) => {
    // Generous: a busy machine (tsx compiling everything) can take a while.
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start within 120 s`)), 120_000);
    child.on("message", (message: ServerMessage) => {
      if (message.type === "cpu" || message.type === "memory" || message.type === "heap" || message.type === "profile") return;
      clearTimeout(timer);
      if (message.type === "ready") resolve(message.port);
      else reject(new Error(`${mode} server failed: ${message.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${mode} server exited with ${code} before it was ready`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async cpuMs() {
      const usage = await askServer(child, "cpu");
      return (usage.user + usage.system) / 1000;
    },
    async memory() {
      const usage = await askServer(child, "memory");
      const mb = (bytes: number) => bytes / 1024 / 1024;
      return { rss: mb(usage.rss), heapUsed: mb(usage.heapUsed), external: mb(usage.external) };
    },
    async profile(file) {
      await askServer(child, "profile", { type: "profile", file });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- measurements

async function loadTest(label: string, server: RunningServer, url: string, cookie: string, duration = DURATION_SECONDS): Promise<PageFigures> {
  const options = { url, connections: CONNECTIONS, headers: { cookie } };
  await autocannon({ ...options, duration: WARMUP_SECONDS });
  const cpuBefore = await server.cpuMs();
  const commandsBefore = await redisCommandsProcessed();
  const rssSamples: number[] = [];
  const sampler = setInterval(() => void server.memory().then((memory) => rssSamples.push(memory.rss)), 500);
  const result = await autocannon({ ...options, duration });
  clearInterval(sampler);
  rssSamples.push((await server.memory()).rss);
  const commandsAfter = await redisCommandsProcessed();
  const cpuAfter = await server.cpuMs();
  return {
    cpuPerRequestMs: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
    redisCommandsPerRequest: (commandsAfter - commandsBefore - 1) / Math.max(1, result.requests.total),
    label,
    rssPeakMb: Math.max(...rssSamples),
    rssEndMb: rssSamples.at(-1)!,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function assertPage(url: string, cookie: string, mustContain: string): Promise<void> {
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const text = await response.text();
  if (response.status !== 200 || !text.includes(mustContain)) {
    throw new Error(`${url} answered ${response.status} without "${mustContain}": not the signed-in page`);
  }
}

// Raw argon2id verifications per second in this process, at the same
// concurrency as the sign-ins, with the app's parameters.
async function measureArgon2(): Promise<RateFigures> {
  const hash = await argon2.hash(DEFAULT_PASSWORD, ARGON2_OPTIONS);
  const verifyOnce = async () => {
    if (!(await argon2.verify(hash, DEFAULT_PASSWORD))) throw new Error("argon2.verify rejected the right password");
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, verifyOnce));
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ARGON2_SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: SIGN_IN_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await verifyOnce();
        count++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count / seconds, count, seconds, cpuPerOperationMs: (cpu.user + cpu.system) / 1000 / count };
}

// Every attempt is a fresh browser: GET /login (new session, CSRF token), then
// POST /login with the right password. The GETs happen before the clock
// starts; only the POSTs (throttle check, argon2 verify, memberships, session
// regeneration, audit row) are timed. Successes are never throttled.
async function measureSignIns(
  server: RunningServer,
  user: { username: string; password: string },
  attempts: number,
  page?: { url: string; cookie: string },
): Promise<SignInFigures & { page?: autocannon.Result }> {
  const { baseUrl } = server;
  const browsers = await mapPool(Array.from({ length: attempts }), 16, async () => {
    const browser = new HttpClient(baseUrl);
    const page = await browser.get("/login");
    if (page.status !== 200 || !browser.csrfToken) throw new Error(`GET /login answered ${page.status} without a CSRF token`);
    return browser;
  });
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  const cpuBefore = await server.cpuMs();
  const start = performance.now();
  // The page load runs until the last sign-in has answered.
  const pageLoad = page ? autocannon({ url: page.url, connections: PARALLEL_PAGE_CONNECTIONS, headers: { cookie: page.cookie }, duration: 3600 }) : undefined;
  await mapPool(browsers, SIGN_IN_CONCURRENCY, async (browser) => {
    const sent = performance.now();
    const response = await browser.post("/login", { login: user.username, password: user.password });
    latencies.push(performance.now() - sent);
    const status = response.status === 303 && response.location !== "/" ? -303 : response.status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const seconds = (performance.now() - start) / 1000;
  (pageLoad as unknown as { stop?: () => void } | undefined)?.stop?.();
  const pageResult = await pageLoad;
  const cpuMs = (await server.cpuMs()) - cpuBefore;
  const count = statuses.get(303) ?? 0;
  latencies.sort((a, b) => a - b);
  return {
    page: pageResult,
    perSecond: count / seconds,
    count,
    seconds,
    cpuPerOperationMs: cpuMs / Math.max(1, attempts),
    attempts,
    statuses,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function mapPool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------- output

const number = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";
const verdict = (ok: boolean) => (ok ? "meets target" : "BELOW TARGET");

function printPages(floor: PageFigures, floorDb: PageFigures, app: PageFigures): void {
  const rows = [floor, floorDb, app].map((f) => [
    f.label,
    number(f.requestsPerSecond, 1),
    number(f.p50),
    number(f.p99),
    number(f.total),
    number(f.non2xx),
    number(f.errors),
    number(f.cpuPerRequestMs, 3),
    number(f.redisCommandsPerRequest, 2),
  ]);
  const header = ["", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "errors", "server CPU ms/req", "Redis cmds/req"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ");
  console.log(`\nSigned-in page, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each (after ${WARMUP_SECONDS} s warm-up)`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const ratio = app.requestsPerSecond / floorDb.requestsPerSecond;
  const cpuRatio = app.cpuPerRequestMs / floorDb.cpuPerRequestMs;
  console.log(`ratio b/a2 (req/s)       ${number(ratio, 2).padStart(8)}   target >= ${TARGET_RATIO}        ${verdict(ratio >= TARGET_RATIO)}   (b/a ${number(app.requestsPerSecond / floor.requestsPerSecond, 2)})`);
  console.log(`server CPU/request b/a2  ${`${number(cpuRatio, 2)}x`.padStart(8)}   target <= ${TARGET_CPU_RATIO}x       ${verdict(cpuRatio <= TARGET_CPU_RATIO)}   (the server process only: PostgreSQL and Redis not included)`);
  console.log(`p99 of (b)               ${`${number(app.p99)} ms`.padStart(8)}   target <= ${TARGET_P99_MS} ms      ${verdict(app.p99 <= TARGET_P99_MS)}`);
  // A few hundredths come from background work on the same Redis (queue
  // polling), hence "< 1.05" for a target of 1.
  const extraRoundTrips = app.redisCommandsPerRequest - floor.redisCommandsPerRequest;
  console.log(
    `Redis commands/request   ${number(extraRoundTrips, 2).padStart(8)}   more than (a) (the user's change version), target <= 1   ${verdict(extraRoundTrips < 1.05)}` +
      `   (INFO counts every client of this Redis: only meaningful when nothing else uses it)`,
  );
  for (const f of [floor, floorDb, app]) {
    if (f.non2xx || f.errors) console.log(`warning: ${f.label} had ${f.non2xx} non-2xx answers and ${f.errors} errors; its figures are suspect`);
  }
}

// ---------------------------------------------------------------- CPU profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

// Top self-time functions of a V8 .cpuprofile (node --cpu-prof): each
// sample's time goes to the function on top of the stack.
function summariseProfile(file: string, top = 15): { lines: string[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index + 1] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url ? sourceLocation(url, lineNumber, columnNumber) : "";
    const key = `${functionName || "(anonymous)"}${where ? `  ${where}` : ""}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    totalUs += delta;
  });
  // (idle) is the event loop waiting: not work.
  const busyUs = totalUs - (selfUs.get("(idle)") ?? 0);
  const lines = [...selfUs]
    .filter(([key]) => key !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${number((us / busyUs) * 100, 1).padStart(5)}%  ${number(us / 1000).padStart(6)} ms  ${key}`);
  return { lines, totalMs: busyUs / 1000 };
}

// file:line of a profiled function; in compiled code (dist/), the TypeScript
// line it came from, through the build's source map.
const sourceMaps = new Map<string, SourceMap | undefined>();
function sourceLocation(url: string, lineNumber: number, columnNumber: number): string {
  const file = url.replace(/^file:\/\//, "");
  if (file.startsWith(path.join(projectRoot, "dist") + path.sep)) {
    if (!sourceMaps.has(file)) {
      try {
        sourceMaps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")) as SourceMapPayload));
      } catch {
        sourceMaps.set(file, undefined);
      }
    }
    const entry = sourceMaps.get(file)?.findEntry(lineNumber, columnNumber);
    if (entry && "originalSource" in entry) return `${shortUrl(path.resolve(path.dirname(file), entry.originalSource))}:${entry.originalLine + 1}`;
  }
  return `${shortUrl(url)}:${lineNumber + 1}`;
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) return file.slice(modules + "/node_modules/".length);
  return file.startsWith(projectRoot) ? file.slice(projectRoot.length + 1) : file;
}

async function profilePage(resources: Resources, user: { username: string; password: string }, slug: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "latchkey-prof-"));
  try {
    const server = await startServer(resources, "app");
    const file = path.join(dir, "page.cpuprofile");
    try {
      const client = await signedInClient(server.baseUrl, user);
      const options = { url: `${server.baseUrl}/w/${slug}`, connections: CONNECTIONS, headers: { cookie: client.cookieHeader() } };
      await autocannon({ ...options, duration: WARMUP_SECONDS });
      await server.profile();
      await autocannon({ ...options, duration: PROFILE_SECONDS });
      await server.profile(file);
    } finally {
      await server.stop();
    }
    if (!existsSync(file)) return ["(no profile written)"];
    // BENCH_PROFILE_OUT=path keeps the raw profile (Chrome DevTools, speedscope).
    if (process.env.BENCH_PROFILE_OUT) copyFileSync(file, process.env.BENCH_PROFILE_OUT);
    const { lines, totalMs } = summariseProfile(file);
    return [
      `CPU profile of (b): V8's sampling profiler (as --cpu-prof) over ${PROFILE_SECONDS} s at ${CONNECTIONS} connections after warm-up (${number(totalMs)} ms of CPU, idle excluded); top 15 by self time`,
      ...lines,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printSignIns(signIns: SignInFigures, raw: RateFigures, beside: SignInFigures & { page?: autocannon.Result }): void {
  console.log(`\nSign-ins over HTTP: POST /login, right password, each with its own fresh session and CSRF token, ${SIGN_IN_CONCURRENCY} concurrent`);
  console.log(`sign-ins/s               ${number(signIns.perSecond, 1).padStart(8)}   (${signIns.count} of ${signIns.attempts} in ${number(signIns.seconds, 2)} s; p50 ${number(signIns.p50)} ms, p99 ${number(signIns.p99)} ms)`);
  console.log(`raw argon2.verify/s      ${number(raw.perSecond, 1).padStart(8)}   (${raw.count} in ${number(raw.seconds, 2)} s, m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism})`);
  console.log(
    `CPU per operation        sign-in ${number(signIns.cpuPerOperationMs, 1)} ms (server process) vs argon2.verify ${number(raw.cpuPerOperationMs, 1)} ms`,
  );
  const ratio = signIns.perSecond / raw.perSecond;
  console.log(`ratio sign-ins/argon2    ${number(ratio, 2).padStart(8)}   target >= ${TARGET_SIGN_IN_RATIO}        ${verdict(ratio >= TARGET_SIGN_IN_RATIO)}`);
  const page = beside.page;
  if (page) {
    console.log(
      `beside a page load       ${number(beside.perSecond, 1).padStart(8)} sign-ins/s while the page (${PARALLEL_PAGE_CONNECTIONS} connections) served ${number(page.requests.average, 1)} req/s` +
        `, p50 ${number(page.latency.p50)} ms, non-2xx ${page.non2xx}`,
    );
    console.log(`page p99 during sign-ins ${`${number(page.latency.p99)} ms`.padStart(8)}   target < ${TARGET_PARALLEL_P99_MS} ms     ${verdict(page.latency.p99 < TARGET_PARALLEL_P99_MS)}`);
  }
  for (const figures of [signIns, beside]) {
    const unexpected = [...figures.statuses].filter(([status]) => status !== 303);
    if (unexpected.length) {
      const described = unexpected.map(([status, n]) => `${n} x ${status === -303 ? "303 to an unexpected place" : status}`).join(", ");
      console.log(`warning: not every sign-in succeeded: ${described}`);
    }
  }
}

const TARGET_RSS_MB = 250;

function printMemory(idle: MemoryFigures, load: PageFigures, afterLoad: MemoryFigures): void {
  const mb = (value: number) => `${number(value)} MB`;
  console.log(`\nMemory of the app server process (${benchServerRuntime().kind}; RSS; heap used / external in brackets)`);
  console.log(`idle                     ${mb(idle.rss).padStart(8)}   (${mb(idle.heapUsed)} / ${mb(idle.external)})`);
  console.log(`under page load          ${mb(load.rssEndMb).padStart(8)}   at the end, peak ${mb(load.rssPeakMb)}   target <= ${TARGET_RSS_MB} MB   ${verdict(load.rssPeakMb <= TARGET_RSS_MB)}`);
  console.log(`after the load           ${mb(afterLoad.rss).padStart(8)}   (${mb(afterLoad.heapUsed)} / ${mb(afterLoad.external)})   target <= ${TARGET_RSS_MB} MB   ${verdict(afterLoad.rss <= TARGET_RSS_MB)}`);
}

// ---------------------------------------------------------------- the real entry point

// src/server.ts (through tsx) or dist/src/server.js (compiled, with source
// maps on as scripts/start.cjs turns them on; not through start.cjs itself,
// which would rebuild dist/ in the middle of the bench whenever a source file
// is saved), as a production deployment runs it: its boot time (spawn to the first 200 from
// /healthz), and the RSS of its whole process tree (tsx's esbuild service
// and cluster workers included), read from /proc.
interface RealServer {
  baseUrl: string;
  bootMs: number;
  rssMb(): number;
  cpuMs(): number;
  stop(): Promise<void>;
}

const COMPILED_ENTRY = path.join(projectRoot, "dist/src/server.js");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRealServer(resources: Resources, compiled: boolean, extraEnv: Record<string, string> = {}): Promise<RealServer> {
  const port = await freePort();
  // (Cluster workers inherit these flags: cluster.fork() reuses process.execArgv.)
  const args = [...startScriptHeapFlags(), ...(compiled ? ["--enable-source-maps", COMPILED_ENTRY] : ["--import", "tsx", path.join(projectRoot, "src/server.ts")])];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...startScriptEnv(), ...resources.appEnv(), PORT: String(port), ...extraEnv },
    stdio: ["ignore", "ignore", "inherit"],
  });
  resources.track(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited with ${child.exitCode}`);
    if (performance.now() - started > 120_000) throw new Error(`${args.join(" ")} did not answer /healthz within 120 s`);
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const bootMs = performance.now() - started;
  const tree = () => processTree(child.pid!);
  return {
    baseUrl,
    bootMs,
    rssMb: () => tree().reduce((sum, pid) => sum + procRssKb(pid), 0) / 1024,
    cpuMs: () => tree().reduce((sum, pid) => sum + procCpuMs(pid), 0),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function processTree(root: number): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // gone
    }
  }
  return pids;
}

function procRssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const CLOCK_TICKS = 100;
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

// dist/ is built (npm run build) when missing or older than any source file.
// True when it is fresh: scripts/start.cjs then runs it as it is.
function ensureCompiled(): boolean {
  try {
    execFileSync(process.execPath, [path.join(projectRoot, "scripts/start.cjs"), "--build-only"], { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] });
  } catch (error) {
    console.log(`could not build dist/ (${(error as Error).message}); compiled figures skipped`);
    return false;
  }
  return existsSync(COMPILED_ENTRY);
}

interface ProcessFigures {
  tsx?: { bootMs: number; idleRssMb: number };
  compiled?: { bootMs: number; idleRssMb: number };
  one?: LoadFigures;
  two?: LoadFigures;
}

interface LoadFigures {
  requestsPerSecond: number;
  p99: number;
  // Per request, in ms of CPU: the web processes, the load generator (this
  // process), and the rest of the machine (PostgreSQL, Redis, anything else).
  cpuPerRequestMs: number;
  loadGeneratorCpuPerRequestMs: number;
  restCpuPerRequestMs: number;
  rssAfterMb: number;
  non2xx: number;
}

// Busy CPU time of the whole machine (all cores) so far, in ms, from /proc/stat.
function machineBusyMs(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + (fields[4] ?? 0);
  return ((fields.reduce((sum, value) => sum + value, 0) - idle) * 1000) / CLOCK_TICKS;
}

async function measureProcesses(resources: Resources, user: { username: string; password: string }, slug: string): Promise<ProcessFigures> {
  const figures: ProcessFigures = {};
  const compiled = ensureCompiled();
  const idle = async (useCompiled: boolean) => {
    const server = await startRealServer(resources, useCompiled);
    try {
      await signedInClient(server.baseUrl, user);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { bootMs: server.bootMs, idleRssMb: server.rssMb() };
    } finally {
      await server.stop();
    }
  };
  figures.tsx = await idle(false);
  if (compiled) figures.compiled = await idle(true);
  const underLoad = async (webConcurrency: number) => {
    const server = await startRealServer(resources, compiled, { WEB_CONCURRENCY: String(webConcurrency) });
    try {
      const client = await signedInClient(server.baseUrl, user);
      const options = { url: `${server.baseUrl}/w/${slug}`, connections: CONNECTIONS, headers: { cookie: client.cookieHeader() } };
      await autocannon({ ...options, duration: WARMUP_SECONDS });
      const cpuBefore = server.cpuMs();
      const machineBefore = machineBusyMs();
      const ownBefore = process.cpuUsage();
      const result = await autocannon({ ...options, duration: DURATION_SECONDS });
      const own = process.cpuUsage(ownBefore);
      const perRequest = (ms: number) => ms / Math.max(1, result.requests.total);
      const serverMs = server.cpuMs() - cpuBefore;
      const loadGeneratorMs = (own.user + own.system) / 1000;
      return {
        requestsPerSecond: result.requests.average,
        p99: result.latency.p99,
        cpuPerRequestMs: perRequest(serverMs),
        loadGeneratorCpuPerRequestMs: perRequest(loadGeneratorMs),
        restCpuPerRequestMs: perRequest(Math.max(0, machineBusyMs() - machineBefore - serverMs - loadGeneratorMs)),
        rssAfterMb: server.rssMb(),
        non2xx: result.non2xx,
      };
    } finally {
      await server.stop();
    }
  };
  figures.one = await underLoad(1);
  figures.two = await underLoad(2);
  return figures;
}

function printProcesses(figures: ProcessFigures, compiledEntry: boolean): void {
  const mb = (value: number) => `${number(value)} MB`;
  console.log(`\nThe real entry point (process tree RSS from /proc: tsx's esbuild service and cluster workers included)`);
  if (figures.tsx) console.log(`tsx loader               boot ${`${number(figures.tsx.bootMs)} ms`.padStart(8)}   idle RSS ${mb(figures.tsx.idleRssMb).padStart(7)}   node --import tsx src/server.ts`);
  if (figures.compiled) console.log(`compiled JavaScript      boot ${`${number(figures.compiled.bootMs)} ms`.padStart(8)}   idle RSS ${mb(figures.compiled.idleRssMb).padStart(7)}   node --enable-source-maps dist/src/server.js`);
  const { one, two } = figures;
  if (one && two) {
    const runs = compiledEntry ? "compiled" : "tsx";
    console.log(`\nWeb processes on the page (${runs}, ${CONNECTIONS} connections, ${DURATION_SECONDS} s; load generator, PostgreSQL and Redis share the same cores)`);
    for (const [label, f] of [["WEB_CONCURRENCY=1", one], ["WEB_CONCURRENCY=2", two]] as const) {
      console.log(
        `${label.padEnd(24)} ${number(f.requestsPerSecond, 1).padStart(8)} req/s   p99 ${number(f.p99)} ms   CPU ${number(f.cpuPerRequestMs, 3)} ms/req   RSS after load ${mb(f.rssAfterMb)}` +
          (f.non2xx ? `   (${f.non2xx} non-2xx!)` : ""),
      );
    }
    const ratio = two.requestsPerSecond / one.requestsPerSecond;
    console.log(`ratio 2/1 processes      ${number(ratio, 2).padStart(8)}   target >= ${TARGET_PROCESSES_RATIO}        ${verdict(ratio >= TARGET_PROCESSES_RATIO)}`);
    // Where the cores went (CPU per request x requests per second): one web
    // process is bounded by its event loop and leaves part of the machine
    // idle; two fill it, and what the load generator, PostgreSQL and Redis
    // take is what keeps them below 2 x (a faster page makes that share larger).
    const cores = os.availableParallelism();
    for (const [label, f] of [["cores busy, 1 process", one], ["cores busy, 2 processes", two]] as const) {
      const busy = (ms: number) => number((ms * f.requestsPerSecond) / 1000, 2);
      const total = f.cpuPerRequestMs + f.loadGeneratorCpuPerRequestMs + f.restCpuPerRequestMs;
      console.log(
        `${label.padEnd(24)} ${busy(total).padStart(8)} of ${cores}   web ${busy(f.cpuPerRequestMs)}, load generator ${busy(f.loadGeneratorCpuPerRequestMs)}, PostgreSQL/Redis/rest ${busy(f.restCpuPerRequestMs)}` +
          `   (${number((100 * (total - f.cpuPerRequestMs)) / total)} % of the CPU per request outside the web processes)`,
      );
    }
  }
}

// ---------------------------------------------------------------- main

async function main(resources: Resources): Promise<void> {
  const threadpool = process.env.UV_THREADPOOL_SIZE ?? "4 (default)";
  const started = performance.now();
  console.log(`Latchkey bench: ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ""}, Node ${process.version}, UV_THREADPOOL_SIZE here ${threadpool}, servers ${startScriptEnv().UV_THREADPOOL_SIZE ?? "default"}`);
  console.log(`${new Date().toISOString()}, throwaway database ${resources.databaseName}, Redis prefix ${resources.redisPrefix}`);
  if (["pages", "sign-ins", "purge"].some((name) => only.has(name))) console.log(`page servers run ${describeRuntime(benchServerRuntime())}`);
  await warnIfBusy("before");

  // Raw argon2 first, while nothing else is running.
  let raw: RateFigures | undefined;
  if (only.has("sign-ins")) {
    process.stdout.write("measuring raw argon2.verify ... ");
    raw = await measureArgon2();
    console.log(`${number(raw.perSecond, 1)}/s`);
  }

  const database = await resources.createDatabase();
  const user = await createUser({ db: database.db });
  const workspace = await createWorkspace({ db: database.db }, user);

  const report: string[] = [];
  const capture = (print: () => void) => {
    const log = console.log;
    console.log = (...args: unknown[]) => void report.push(args.join(" "));
    try {
      print();
    } finally {
      console.log = log;
    }
  };

  // A part that fails is reported and the others still run; what was
  // measured is printed in any case.
  const part = async (name: string, run: () => Promise<void>) => {
    if (!only.has(name)) return;
    try {
      await run();
    } catch (error) {
      console.log(`\n${name} failed: ${(error as Error).message}`);
      report.push("", `${name}: failed (${(error as Error).message})`);
      process.exitCode = 1;
    }
  };

  let appFigures: PageFigures | undefined;
  await part("pages", async () => {
    const floorRun = async (mode: "floor" | "floor-db", label: string) => {
      process.stdout.write(`${label.slice(0, 4).trim()} floor ... `);
      const server = await startServer(resources, mode, { BENCH_LABEL: workspace.name, BENCH_USER_ID: user.id });
      try {
        const signIn = await fetch(`${server.baseUrl}${FLOOR_SIGN_IN_PATH}`, { method: "POST" });
        const cookie = signIn.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
        if (signIn.status !== 204 || !cookie) throw new Error(`floor sign-in answered ${signIn.status}`);
        const url = `${server.baseUrl}${FLOOR_PAGE_PATH}`;
        await assertPage(url, cookie, mode === "floor-db" ? user.username : workspace.name);
        const figures = await loadTest(label, server, url, cookie);
        console.log(`${number(figures.requestsPerSecond, 1)} req/s`);
        return figures;
      } finally {
        await server.stop();
      }
    };
    const floor = await floorRun("floor", "(a)  floor: Express + Redis session + cached EJS");
    const floorDb = await floorRun("floor-db", "(a2) floor + PostgreSQL primary-key read");
    process.stdout.write("(b) app ... ");
    const appServer = await startServer(resources, "app");
    let appIdle: MemoryFigures;
    try {
      const client = await signedInClient(appServer.baseUrl, user);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      appIdle = await appServer.memory();
      const cookie = client.cookieHeader();
      const url = `${appServer.baseUrl}/w/${workspace.slug}`;
      await assertPage(url, cookie, workspace.name);
      appFigures = await loadTest(`(b)  app: GET /w/${workspace.slug}`, appServer, url, cookie);
      console.log(`${number(appFigures.requestsPerSecond, 1)} req/s`);
      const memoryAfter = await appServer.memory();
      capture(() => {
        printPages(floor, floorDb, appFigures!);
        printMemory(appIdle, appFigures!, memoryAfter);
      });
    } finally {
      await appServer.stop();
    }
    process.stdout.write("(b) profile ... ");
    const profile = await profilePage(resources, user, workspace.slug);
    console.log("done");
    report.push("", ...profile);
  });

  await part("sign-ins", async () => {
    if (!raw) return;
    const appServer = await startServer(resources, "app");
    try {
      const client = await signedInClient(appServer.baseUrl, user);
      const attempts = Math.min(4000, Math.max(64, Math.round(raw.perSecond * SIGN_IN_TARGET_SECONDS)));
      process.stdout.write(`sign-ins (${attempts} attempts) ... `);
      const signIns = await measureSignIns(appServer, user, attempts);
      console.log(`${number(signIns.perSecond, 1)}/s`);
      process.stdout.write(`sign-ins beside a page load ... `);
      const beside = await measureSignIns(appServer, user, attempts, { url: `${appServer.baseUrl}/w/${workspace.slug}`, cookie: client.cookieHeader() });
      console.log(`${number(beside.perSecond, 1)}/s, page p99 ${number(beside.page?.latency.p99 ?? Number.NaN)} ms`);
      // What a sign-in costs besides argon2 (which runs on the threadpool,
      // outside the JavaScript profile), from a run of its own: the profiler
      // costs CPU too, so the measured runs above go without it.
      process.stdout.write(`sign-ins profile ... `);
      const profileFile = path.join(resources.dataDir, "sign-ins.cpuprofile");
      await appServer.profile();
      const profiled = await measureSignIns(appServer, user, attempts);
      await appServer.profile(profileFile);
      console.log("done");
      if (process.env.BENCH_PROFILE_OUT) copyFileSync(profileFile, process.env.BENCH_PROFILE_OUT.replace(/(\.cpuprofile)?$/, "-sign-ins.cpuprofile"));
      const signInProfile = summariseProfile(profileFile, 10);
      capture(() => printSignIns(signIns, raw!, beside));
      report.push(`CPU profile of the sign-ins' JavaScript (event loop only; ${number(signInProfile.totalMs)} ms, ${number(signInProfile.totalMs / Math.max(1, profiled.attempts), 1)} ms per sign-in); top 10 by self time`, ...signInProfile.lines);
    } finally {
      await appServer.stop();
    }
  });

  await part("processes", async () => {
    process.stdout.write("real entry point: tsx against compiled, 1 against 2 web processes ... ");
    const compiled = existsSync(COMPILED_ENTRY) || undefined;
    const processes = await measureProcesses(resources, user, workspace.slug);
    console.log("done");
    capture(() => printProcesses(processes, Boolean(compiled) || existsSync(COMPILED_ENTRY)));
  });

  await part("purge", async () => {
    if (!appFigures) return;
    // (c) the same page while an account owning 100k rows is seeded and
    // purged in another process on the same PostgreSQL (bench/purge.ts).
    process.stdout.write("(c) app while purging an account ... ");
    const appServer = await startServer(resources, "app");
    try {
      const client = await signedInClient(appServer.baseUrl, user);
      const purge = purgeBench();
      const duringPurge = await loadTest(`(c) app during purge-account`, appServer, `${appServer.baseUrl}/w/${workspace.slug}`, client.cookieHeader());
      const purgeReport = await purge;
      console.log(`${number(duringPurge.requestsPerSecond, 1)} req/s`);
      report.push("", purgeReport, `p99 of (b) during purge  ${`${number(duringPurge.p99)} ms`.padStart(8)}   (${number(appFigures!.p99)} ms without)`);
    } finally {
      await appServer.stop();
    }
  });

  if (only.has("audit") || !process.env.BENCH_ONLY) report.push("", execFileSync(process.execPath, ["--import", "tsx", path.join(benchDir, "audit.ts")], { env: process.env, encoding: "utf8" }).trim());
  for (const line of report) console.log(line);
  console.log(`\nbench took ${number((performance.now() - started) / 1000)} s`);
  await warnIfBusy("after");
}

function purgeBench(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", path.join(path.dirname(fileURLToPath(import.meta.url)), "purge.ts")], { env: process.env }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    );
  });
}

// The server, PostgreSQL, Redis and the load generator share this machine's
// cores; anything else running skews the figures. Samples /proc/stat for 1 s
// (Linux only) at the start and when the bench has finished.
async function warnIfBusy(when: string): Promise<void> {
  const sample = () => {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: fields[3]! + (fields[4] ?? 0), total: fields.reduce((sum, value) => sum + value, 0) };
  };
  try {
    const first = sample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = sample();
    const busy = 1 - (second.idle - first.idle) / Math.max(1, second.total - first.total);
    const message = `CPU busy ${when} the run (other processes): ${(busy * 100).toFixed(0)}%`;
    console.log(busy > 0.15 ? `note: ${message}; the figures are skewed by other work on this machine` : message);
  } catch {
    // not Linux: nothing to sample
  }
}

const resources = new Resources();
let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
  console.error("\ninterrupted: cleaning up");
  void resources.cleanUp().finally(() => process.exit(130));
});

try {
  await main(resources);
} catch (error) {
  if (!interrupted) {
    console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await resources.cleanUp();
}
