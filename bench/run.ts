// `npm run bench`: how close the signed-in page and the sign-in path come to
// what this machine can do at best. Everything runs on loopback against a
// throwaway database and Redis key prefix, which are removed at the end.
//
//   (a) floor  Express 5 + the app's Redis session store + a cached EJS page
//   (b) app    createApp(deps) serving the signed-in GET /w/:slug
//   sign-ins   concurrent POST /login over HTTP (each with its own fresh
//              session and CSRF token) against raw argon2.verify calls
//
// Figures are printed with their targets, never asserted: the exit code only
// says whether the bench itself ran.
import { execFile, fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
import { FLOOR_PAGE_PATH, FLOOR_SIGN_IN_PATH, type ServerMessage, type ServerMode } from "./protocol.js";

// Only local services, only loopback.
const ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = "redis://127.0.0.1:6379";

const CONNECTIONS = 32;
const DURATION_SECONDS = 10;
const WARMUP_SECONDS = 2;
const SIGN_IN_CONCURRENCY = 32;
const SIGN_IN_TARGET_SECONDS = 8;
const ARGON2_SECONDS = 8;

const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;
const TARGET_SIGN_IN_RATIO = 0.8;

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
async function startServer(resources: Resources, mode: ServerMode, extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const child = fork(path.join(benchDir, "server.ts"), [mode], {
    cwd: projectRoot,
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
    execArgv: ["--import", "tsx", ...startScriptHeapFlags(), ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean)],
    env: { ...startScriptMallocEnv(), ...process.env, ...extraEnv, BENCH_APP_ENV: JSON.stringify(resources.appEnv()) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  resources.track(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start within 30 s`)), 30_000);
    child.on("message", (message: ServerMessage) => {
      if (message.type === "cpu" || message.type === "memory") return;
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
    cpuMs() {
      return new Promise((resolve) => {
        const listener = (message: ServerMessage) => {
          if (message.type !== "cpu") return;
          child.off("message", listener);
          resolve((message.user + message.system) / 1000);
        };
        child.on("message", listener);
        child.send("cpu");
      });
    },
    memory() {
      return new Promise((resolve) => {
        const listener = (message: ServerMessage) => {
          if (message.type !== "memory") return;
          child.off("message", listener);
          const mb = (bytes: number) => bytes / 1024 / 1024;
          resolve({ rss: mb(message.rss), heapUsed: mb(message.heapUsed), external: mb(message.external) });
        };
        child.on("message", listener);
        child.send("memory");
      });
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

// The memory settings `npm start` runs the server with (package.json: V8 heap
// flags, MALLOC_* variables), so the memory figures are those of the real process.
function startScript(): string {
  const manifest = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  return manifest.scripts.start ?? "";
}

function startScriptHeapFlags(): string[] {
  return startScript().match(/--max-[\w-]+=\d+/g) ?? [];
}

function startScriptMallocEnv(): Record<string, string> {
  return Object.fromEntries([...startScript().matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));
}

// ---------------------------------------------------------------- measurements

async function loadTest(label: string, server: RunningServer, url: string, cookie: string): Promise<PageFigures> {
  const options = { url, connections: CONNECTIONS, headers: { cookie } };
  await autocannon({ ...options, duration: WARMUP_SECONDS });
  const cpuBefore = await server.cpuMs();
  const commandsBefore = await redisCommandsProcessed();
  const rssSamples: number[] = [];
  const sampler = setInterval(() => void server.memory().then((memory) => rssSamples.push(memory.rss)), 500);
  const result = await autocannon({ ...options, duration: DURATION_SECONDS });
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
async function measureSignIns(server: RunningServer, user: { username: string; password: string }, attempts: number): Promise<SignInFigures> {
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
  await mapPool(browsers, SIGN_IN_CONCURRENCY, async (browser) => {
    const sent = performance.now();
    const response = await browser.post("/login", { login: user.username, password: user.password });
    latencies.push(performance.now() - sent);
    const status = response.status === 303 && response.location !== "/" ? -303 : response.status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const seconds = (performance.now() - start) / 1000;
  const cpuMs = (await server.cpuMs()) - cpuBefore;
  const count = statuses.get(303) ?? 0;
  latencies.sort((a, b) => a - b);
  return {
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

function printPages(floor: PageFigures, app: PageFigures): void {
  const rows = [floor, app].map((f) => [
    f.label,
    number(f.requestsPerSecond, 1),
    number(f.p50),
    number(f.p99),
    number(f.total),
    number(f.non2xx),
    number(f.errors),
    number(f.cpuPerRequestMs, 3),
  ]);
  const header = ["", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "errors", "server CPU ms/req"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ");
  console.log(`\nSigned-in page, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each (after ${WARMUP_SECONDS} s warm-up)`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const ratio = app.requestsPerSecond / floor.requestsPerSecond;
  console.log(`ratio b/a (req/s)        ${number(ratio, 2).padStart(8)}   target >= ${TARGET_RATIO}        ${verdict(ratio >= TARGET_RATIO)}`);
  console.log(`server CPU/request b/a   ${`${number(app.cpuPerRequestMs / floor.cpuPerRequestMs, 2)}x`.padStart(8)}   (the server process only: PostgreSQL and Redis not included)`);
  console.log(`p99 of (b)               ${`${number(app.p99)} ms`.padStart(8)}   target <= ${TARGET_P99_MS} ms      ${verdict(app.p99 <= TARGET_P99_MS)}`);
  const extraRoundTrips = app.redisCommandsPerRequest - floor.redisCommandsPerRequest;
  console.log(
    `Redis commands/request   ${number(floor.redisCommandsPerRequest, 2).padStart(8)} (a)  ${number(app.redisCommandsPerRequest, 2)} (b)  ` +
      `session-limit enforcement: ${number(extraRoundTrips, 2)} extra, target <= 1   ${verdict(extraRoundTrips <= 1)}`,
  );
  for (const f of [floor, app]) {
    if (f.non2xx || f.errors) console.log(`warning: ${f.label} had ${f.non2xx} non-2xx answers and ${f.errors} errors; its figures are suspect`);
  }
}

function printSignIns(signIns: SignInFigures, raw: RateFigures): void {
  console.log(`\nSign-ins over HTTP: POST /login, right password, each with its own fresh session and CSRF token, ${SIGN_IN_CONCURRENCY} concurrent`);
  console.log(`sign-ins/s               ${number(signIns.perSecond, 1).padStart(8)}   (${signIns.count} of ${signIns.attempts} in ${number(signIns.seconds, 2)} s; p50 ${number(signIns.p50)} ms, p99 ${number(signIns.p99)} ms)`);
  console.log(`raw argon2.verify/s      ${number(raw.perSecond, 1).padStart(8)}   (${raw.count} in ${number(raw.seconds, 2)} s, m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism})`);
  console.log(
    `CPU per operation        sign-in ${number(signIns.cpuPerOperationMs, 1)} ms (server process) vs argon2.verify ${number(raw.cpuPerOperationMs, 1)} ms`,
  );
  const ratio = signIns.perSecond / raw.perSecond;
  console.log(`ratio sign-ins/argon2    ${number(ratio, 2).padStart(8)}   target >= ${TARGET_SIGN_IN_RATIO}        ${verdict(ratio >= TARGET_SIGN_IN_RATIO)}`);
  const unexpected = [...signIns.statuses].filter(([status]) => status !== 303);
  if (unexpected.length) {
    const described = unexpected.map(([status, n]) => `${n} x ${status === -303 ? "303 to an unexpected place" : status}`).join(", ");
    console.log(`warning: not every sign-in succeeded: ${described}`);
  }
}

const TARGET_RSS_MB = 250;

function printMemory(idle: MemoryFigures, load: PageFigures, afterSignIns: MemoryFigures): void {
  const mb = (value: number) => `${number(value)} MB`;
  console.log(`\nMemory of the app server process (RSS; heap used / external in brackets)`);
  console.log(`idle                     ${mb(idle.rss).padStart(8)}   (${mb(idle.heapUsed)} / ${mb(idle.external)})`);
  console.log(`under page load          ${mb(load.rssEndMb).padStart(8)}   at the end, peak ${mb(load.rssPeakMb)}   target <= ${TARGET_RSS_MB} MB   ${verdict(load.rssPeakMb <= TARGET_RSS_MB)}`);
  console.log(`after the sign-ins       ${mb(afterSignIns.rss).padStart(8)}   (${mb(afterSignIns.heapUsed)} / ${mb(afterSignIns.external)})   target <= ${TARGET_RSS_MB} MB   ${verdict(afterSignIns.rss <= TARGET_RSS_MB)}`);
}

// ---------------------------------------------------------------- main

async function main(resources: Resources): Promise<void> {
  const threadpool = process.env.UV_THREADPOOL_SIZE ?? "4 (default)";
  console.log(`Latchkey bench: ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ""}, Node ${process.version}, UV_THREADPOOL_SIZE=${threadpool}`);
  console.log(`throwaway database ${resources.databaseName}, Redis prefix ${resources.redisPrefix}`);
  await warnIfBusy("before");

  // Raw argon2 first, while nothing else is running.
  process.stdout.write("measuring raw argon2.verify ... ");
  const raw = await measureArgon2();
  console.log(`${number(raw.perSecond, 1)}/s`);

  const database = await resources.createDatabase();
  const user = await createUser({ db: database.db });
  const workspace = await createWorkspace({ db: database.db }, user);

  // (a) floor
  process.stdout.write("(a) floor ... ");
  const floorServer = await startServer(resources, "floor", { BENCH_LABEL: workspace.name });
  let floor: PageFigures;
  try {
    const signIn = await fetch(`${floorServer.baseUrl}${FLOOR_SIGN_IN_PATH}`, { method: "POST" });
    const cookie = signIn.headers.getSetCookie().map((line) => line.split(";")[0]).join("; ");
    if (signIn.status !== 204 || !cookie) throw new Error(`floor sign-in answered ${signIn.status}`);
    const url = `${floorServer.baseUrl}${FLOOR_PAGE_PATH}`;
    await assertPage(url, cookie, workspace.name);
    floor = await loadTest("(a) floor: Express + Redis session + cached EJS", floorServer, url, cookie);
  } finally {
    await floorServer.stop();
  }
  console.log(`${number(floor.requestsPerSecond, 1)} req/s`);

  // (b) the app, then sign-ins against the same instance
  process.stdout.write("(b) app ... ");
  const appServer = await startServer(resources, "app");
  let app: PageFigures;
  let signIns: SignInFigures;
  let appIdle: MemoryFigures;
  let appAfterSignIns: MemoryFigures;
  let duringPurge: PageFigures;
  let purgeReport: string;
  try {
    // Idle: started, one page served (views compiled), then a breath.
    const client = await signedInClient(appServer.baseUrl, user);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    appIdle = await appServer.memory();
    const cookie = client.cookieHeader();
    const url = `${appServer.baseUrl}/w/${workspace.slug}`;
    await assertPage(url, cookie, workspace.name);
    app = await loadTest(`(b) app: GET /w/${workspace.slug}`, appServer, url, cookie);
    console.log(`${number(app.requestsPerSecond, 1)} req/s`);

    const attempts = Math.min(4000, Math.max(64, Math.round(raw.perSecond * SIGN_IN_TARGET_SECONDS)));
    process.stdout.write(`sign-ins (${attempts} attempts) ... `);
    signIns = await measureSignIns(appServer, user, attempts);
    console.log(`${number(signIns.perSecond, 1)}/s`);
    appAfterSignIns = await appServer.memory();

    // (c) the same page while an account owning 100k rows is seeded and
    // purged in another process on the same PostgreSQL (bench/purge.ts).
    process.stdout.write("(c) app while purging an account ... ");
    const purge = purgeBench();
    duringPurge = await loadTest(`(c) app during purge-account`, appServer, url, cookie);
    purgeReport = await purge;
    console.log(`${number(duringPurge.requestsPerSecond, 1)} req/s`);
  } finally {
    await appServer.stop();
  }

  printPages(floor, app);
  printSignIns(signIns, raw);
  printMemory(appIdle, app, appAfterSignIns);
  console.log(`${purgeReport}\np99 of (b) during purge  ${`${number(duringPurge.p99)} ms`.padStart(8)}   (${number(app.p99)} ms without)`);
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
