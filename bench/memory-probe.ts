// `tsx bench/memory-probe.ts [node flags...]`: what holds the app server's
// memory. Starts the bench's server (app mode) as `npm run bench` runs it
// (compiled, BENCH_RUNTIME=tsx for the tsx loader; `npm start`'s heap flags
// and MALLOC_ARENA_MAX) plus the given node flags, loads the signed-in page
// like `npm run bench`, and prints RSS and V8 heap figures idle, at the peak
// of the load, and after a forced full GC (so garbage not yet collected is
// told apart from memory really held). Each stage is also split into
// file-backed pages (the node binary, shared libraries such as libvips) and
// anonymous memory: the V8 heap by space, and the rest (malloc: native
// modules, OpenSSL, V8's own; thread stacks; the tsx loader's thread).
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { openDatabase } from "../src/platform/db.js";
import { createUser, createWorkspace, signedInClient } from "../test/helpers/factories.js";
import { askServer, benchServerRuntime, describeRuntime, startScriptEnv, startScriptHeapFlags, type ServerMessage } from "./protocol.js";

const ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const flags = process.argv.slice(2);
const id = randomBytes(4).toString("hex");
const databaseName = `bench_mem_${id}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "latchkey-mem-"));

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

await admin(`create database ${databaseName}`);
try {
  const databaseUrl = ADMIN_DATABASE_URL.replace(/\/postgres$/, `/${databaseName}`);
  const database = await openDatabase({ databaseUrl, dataDir });
  await database.migrate();
  const user = await createUser({ db: database.db });
  const workspace = await createWorkspace({ db: database.db }, user);
  await database.close();
  const env = { NODE_ENV: "production", LOG_LEVEL: "silent", SECRET_KEY: randomBytes(32).toString("base64url"), DATABASE_URL: databaseUrl, REDIS_PREFIX: `bench-mem-${id}:`, DATA_DIR: dataDir, IN_PROCESS_WORKER: "false" };
  const runtime = benchServerRuntime();
  const execArgv = [...runtime.execArgv, ...startScriptHeapFlags(), "--expose-gc", ...flags];
  console.log(`server: ${describeRuntime(runtime)}, ${execArgv.join(" ")}`);
  const child = fork(runtime.entry, ["app"], {
    execArgv,
    env: { ...startScriptEnv(), ...process.env, BENCH_APP_ENV: JSON.stringify(env) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) =>
    child.on("message", (message: ServerMessage) => (message.type === "ready" ? resolve(message.port) : message.type === "error" ? reject(new Error(message.message)) : undefined)),
  );
  const memory = () => askServer(child, "memory");
  const show = (label: string, m: Extract<ServerMessage, { type: "memory" }>) => console.log(`${label.padEnd(28)} rss ${mb(m.rss).padStart(7)}  heap used ${mb(m.heapUsed).padStart(6)}  external ${mb(m.external)}`);
  // Where the RSS is: /proc's file-backed and anonymous resident pages, and
  // the V8 heap's physical size by space.
  const explain = async () => {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    const { spaces, malloced } = await askServer(child, "heap");
    const heap = Object.values(spaces).reduce((sum, size) => sum + size, 0);
    const bySpace = Object.entries(spaces)
      .filter(([, size]) => size >= 512 * 1024)
      .map(([name, size]) => `${name.replace(/_space$/, "")} ${mb(size)}`)
      .join(", ");
    console.log(`${"".padEnd(28)} file-backed ${mb(kb("RssFile"))}, anonymous ${mb(kb("RssAnon"))} = V8 heap ${mb(heap)} (${bySpace}) + other ${mb(kb("RssAnon") - heap)} (V8's malloc ${mb(malloced)})`);
  };
  const base = `http://127.0.0.1:${port}`;
  const client = await signedInClient(base, user);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  show("idle", await memory());
  await explain();
  const cpu = async () => {
    const usage = await askServer(child, "cpu");
    return (usage.user + usage.system) / 1000;
  };
  const cpuBefore = await cpu();
  let peak = 0;
  let peakSample: Extract<ServerMessage, { type: "memory" }> | undefined;
  const sampler = setInterval(() => void memory().then((m) => m.rss > peak && ((peak = m.rss), (peakSample = m))), 500);
  const result = await autocannon({ url: `${base}/w/${workspace.slug}`, connections: 32, duration: 12, headers: { cookie: client.cookieHeader() } });
  clearInterval(sampler);
  const cpuPerRequest = ((await cpu()) - cpuBefore) / Math.max(1, result.requests.total);
  show("peak under load", peakSample!);
  show("end of load", await memory());
  await explain();
  child.send("gc");
  await new Promise((resolve) => setTimeout(resolve, 500));
  show("after full GC", await memory());
  await explain();
  console.log(`flags: ${flags.join(" ") || "(none)"}; ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, server CPU ${cpuPerRequest.toFixed(3)} ms/request, non-2xx ${result.non2xx}`);
  child.send("stop");
  await new Promise((resolve) => child.once("exit", resolve));
} finally {
  await admin(`drop database if exists ${databaseName} with (force)`);
  rmSync(dataDir, { recursive: true, force: true });
}
