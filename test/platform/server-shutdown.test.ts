import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startProcess } from "../helpers/processes.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { createTestDatabase, dropTestDatabase, testEnv } from "../helpers/test-app.js";

// SIGTERM to the real process (`npm start` runs src/server.ts) while 16
// keep-alive connections keep it busy: every request written before the
// signal gets a whole response, responses after it close their connection,
// /readyz says 503 while draining, and the process exits 0.
const CONNECTIONS = 16;
// Bounded load: each connection sends at most this many requests.
const MAX_REQUESTS_PER_CONNECTION = 400;
let databaseName: string;
let dataDir: string;

beforeAll(async () => {
  databaseName = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-shutdown-"));
});
afterAll(async () => {
  await dropTestDatabase(databaseName);
  rmSync(dataDir, { recursive: true, force: true });
});

const startServer = startProcess;

async function waitUntilReady(port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready: ${output()}`);
}

interface Outcome {
  sentBeforeSignal: boolean;
  status?: number;
  connection?: string;
  error?: string;
}

function get(agent: http.Agent, port: number, pathname: string, signalled: () => boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = http.request({ host: "127.0.0.1", port, path: pathname, agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ sentBeforeSignal, status: response.statusCode, connection: response.headers.connection }));
      response.on("error", (error) => resolve({ sentBeforeSignal, error: error.message }));
    });
    let sentBeforeSignal = true;
    request.on("error", (error) => resolve({ sentBeforeSignal, error: error.message }));
    request.end(() => (sentBeforeSignal = !signalled()));
  });
}

// One raw connection holding a request whose headers are not finished: it is
// completed after the signal and must be answered (a /readyz probe here).
async function openPartialRequest(port: number): Promise<{ finish(): Promise<string> }> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  let received = "";
  socket.on("data", (chunk) => (received += chunk));
  socket.write("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  return {
    async finish() {
      socket.write("\r\n");
      await new Promise((resolve) => socket.once("close", resolve));
      return received;
    },
  };
}

// 16 keep-alive connections load the server (each keeps sending after the
// signal too, until the server closes it); `signal` is sent once 300
// requests were answered, while a /readyz request waits half-sent.
async function loadAndSignal(port: number, signal: () => void) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let signalled = false;
  let answered = 0;
  const outcomes: Outcome[] = [];
  const afterSignalPerConnection: number[] = [];
  const loop = async () => {
    let afterSignal = 0;
    for (let i = 0; i < MAX_REQUESTS_PER_CONNECTION; i++) {
      // A page that loads a session and renders a view, and a cheap one.
      const outcome = await get(agent, port, i % 2 ? "/setup" : "/healthz", () => signalled);
      outcomes.push(outcome);
      answered++;
      if (!outcome.sentBeforeSignal) afterSignal++;
      if (signalled && (outcome.error || outcome.connection === "close")) break;
    }
    afterSignalPerConnection.push(afterSignal);
  };
  const partial = await openPartialRequest(port);
  const loops = Array.from({ length: CONNECTIONS }, loop);
  while (answered < 300 && outcomes.every((outcome) => !outcome.error)) await new Promise((resolve) => setTimeout(resolve, 5));
  signalled = true;
  signal();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const readiness = await partial.finish();
  await Promise.all(loops);
  agent.destroy();
  return { outcomes, afterSignalPerConnection, readiness };
}

function expectDrained(result: Awaited<ReturnType<typeof loadAndSignal>>, code: number | null, output: string, label: string): void {
  const { outcomes, afterSignalPerConnection, readiness } = result;
  const beforeSignal = outcomes.filter((outcome) => outcome.sentBeforeSignal);
  const lost = beforeSignal.filter((outcome) => outcome.error);
  const closing = outcomes.filter((outcome) => outcome.connection === "close").length;
  console.info(`${label}: ${outcomes.length} requests, ${beforeSignal.length} sent before SIGTERM, ${lost.length} of those without response; ${outcomes.length - beforeSignal.length} sent after, ${closing} answered with Connection: close; exit ${code}`);
  expect(lost, output).toEqual([]);
  expect(beforeSignal.filter((outcome) => outcome.status !== 200), output).toEqual([]);
  // No busy connection is kept serving after the signal: each ends after
  // at most a couple of requests (those crossing the signal on the wire).
  expect(Math.max(...afterSignalPerConnection), String(afterSignalPerConnection)).toBeLessThanOrEqual(3);
  // A request that reaches the server after the signal is answered, with
  // Connection: close, and says the process is not ready.
  expect(readiness).toMatch(/^HTTP\/1\.1 503/);
  expect(readiness).toMatch(/connection: close/i);
  expect(code, output).toBe(0);
}

function appEnv(port: number, extra: Record<string, string> = {}) {
  return testEnv({ PORT: String(port), DATABASE_URL: databaseUrlFor(databaseName), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `lk-shutdown-${port}:`, DATA_DIR: dataDir, LOG_LEVEL: "info", ...extra });
}

describe("shutdown under load", () => {
  it("answers every request sent before SIGTERM, closes connections, says not ready, exits 0", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const server = startServer([process.execPath, "--import", "tsx", "src/server.ts"], appEnv(port));
    await waitUntilReady(port, server.output);
    const result = await loadAndSignal(port, () => server.child.kill("SIGTERM"));
    expectDrained(result, await server.exited, server.output(), "node, 1 process");
    expect(server.output()).toContain('"msg":"drained"');
  });

  it("`npm start` passes SIGTERM on, and with WEB_CONCURRENCY=2 both web processes drain", { timeout: 120_000 }, async () => {
    const port = await freePort();
    const server = startServer(["npm", "start"], appEnv(port, { WEB_CONCURRENCY: "2" }));
    await waitUntilReady(port, server.output);
    const result = await loadAndSignal(port, () => server.child.kill("SIGTERM"));
    expectDrained(result, await server.exited, server.output(), "npm start, 2 processes");
    expect(server.output().match(/"msg":"drained"/g)?.length, server.output()).toBe(2);
  });

  it("web processes still starting when SIGTERM comes are signalled once they listen, drain, and the primary exits 0", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const server = startServer([process.execPath, "--import", "tsx", "src/server.ts"], appEnv(port, { WEB_CONCURRENCY: "2" }));
    // Both web processes forked (the primary has its handlers by then), and
    // still loading the app: a web process takes over a second to listen.
    const children = () => readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    const deadline = Date.now() + 30_000;
    while (children().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await fetch(`http://127.0.0.1:${port}/readyz`).then(() => "listening", () => "not yet")).toBe("not yet");
    server.child.kill("SIGTERM");
    expect(await server.exited, server.output()).toBe(0);
    expect(server.output().match(/"msg":"drained"/g)?.length, server.output()).toBe(2);
  });
});
