import { spawn } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, serveMetrics } from "../../src/platform/metrics.js";
import { requestMetrics } from "../../src/web/metrics.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { freePort } from "../helpers/processes.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

const TOKEN = "metrics-token-for-tests-0123456789abcdef";

// One sample's value from Prometheus text: `name{a="x",b="y"} 3`. The
// labels given must all be on the line (others may be too).
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

async function scrape(app: TestApp): Promise<string> {
  const response = await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

describe("/metrics with METRICS_TOKEN", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => app?.close());

  it("answers 401 without the bearer token or with a wrong one, and 200 with it", async () => {
    expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    const text = await scrape(app);
    expect(text).toContain("# TYPE latchkey_http_request_duration_seconds histogram");
  });

  it("counts a successful sign-in, a wrong password and a failed second factor", async () => {
    const user = await createUser(app.deps);
    const before = await scrape(app);
    await signedInClient(app.baseUrl, user);
    const wrong = new HttpClient(app.baseUrl);
    expect((await wrong.submit("/login", "/login", { login: user.username, password: "not-the-password" })).status).toBe(401);

    const twoFactorUser = await createUser(app.deps);
    await enableTotpFor(app.deps, twoFactorUser);
    const client = new HttpClient(app.baseUrl);
    expect((await client.submit("/login", "/login", { login: twoFactorUser.username, password: twoFactorUser.password })).location).toBe("/login/verify");
    expect((await client.post("/login/verify", { code: "000000" })).status).toBe(422);

    const after = await scrape(app);
    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved("latchkey_sign_ins_total", { outcome: "success" })).toBe(1);
    expect(moved("latchkey_sign_ins_total", { outcome: "wrong_password" })).toBe(1);
    expect(moved("latchkey_sign_ins_total", { outcome: "second_step" })).toBe(1);
    expect(moved("latchkey_second_factor_failures_total", { method: "totp" })).toBe(1);
  });

  it("labels request durations with the route pattern, not the URL", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.get(`/w/${workspace.slug}`)).status).toBe(200);
    expect((await client.get(`/w/${workspace.slug}/members`)).status).toBe(200);
    const text = await scrape(app);
    expect(sampleValue(text, "latchkey_http_request_duration_seconds_count", { method: "GET", route: "/w/:slug", status: "2xx" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, "latchkey_http_request_duration_seconds_count", { route: "/w/:slug/members" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, "latchkey_http_request_duration_seconds_count", { method: "POST", route: "/login" })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(workspace.slug);
  });

  it("reports PostgreSQL and Redis up, the queues' depth and the outbox", async () => {
    const text = await scrape(app);
    expect(sampleValue(text, "latchkey_dependency_up", { dependency: "postgresql" })).toBe(1);
    expect(sampleValue(text, "latchkey_dependency_up", { dependency: "redis" })).toBe(1);
    expect(text).toMatch(/^latchkey_queue_jobs\{queue="mail",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^latchkey_outbox_pending \d+$/m);
    expect(sampleValue(text, "latchkey_change_marks_pending")).toBe(0);
  });

  it("times jobs per queue once the worker has run one", async () => {
    // The sign-ins above queued mail (new-device notices and the like) or not;
    // a password reset request always does.
    const user = await createUser(app.deps);
    const client = new HttpClient(app.baseUrl);
    await client.submit("/forgot-password", "/forgot-password", { login: user.email });
    await app.mail.waitFor(user.email, /./);
    await expect.poll(async () => sampleValue(await scrape(app), "latchkey_job_latency_seconds_count", { queue: "mail" })).toBeGreaterThanOrEqual(1);
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it("does not exist on the app's port", async () => {
    expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

describe("rate-limit hits and the separate metrics port", () => {
  it("counts every 429 as a rate-limit hit by route pattern", async () => {
    const metrics = createMetrics();
    const app = express();
    app.use(requestMetrics({ metrics }));
    app.get("/limited/:id", (_req, res) => void res.status(429).end());
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await fetch(`${base}/limited/42`);
      await fetch(`${base}/limited/43`);
      const text = await metrics.registry.metrics();
      expect(sampleValue(text, "latchkey_rate_limit_hits_total", { route: "/limited/:id" })).toBe(2);
      expect(sampleValue(text, "latchkey_http_request_duration_seconds_count", { route: "/limited/:id", status: "4xx" })).toBe(2);
    } finally {
      server.close();
    }
  });

  it("serves METRICS_PORT on loopback, and asks for the token there too when one is set", async () => {
    const metrics = createMetrics();
    metrics.signIns.inc({ outcome: "success" });
    for (const token of [undefined, TOKEN]) {
      const port = await freePort();
      const server = serveMetrics({ port, host: "127.0.0.1", token, registry: metrics.registry });
      await new Promise((resolve) => server.once("listening", resolve));
      try {
        const plain = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(plain.status).toBe(token ? 401 : 200);
        if (token) {
          const authorised = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
          expect(sampleValue(await authorised.text(), "latchkey_sign_ins_total", { outcome: "success" })).toBe(1);
        } else {
          expect(sampleValue(await plain.text(), "latchkey_sign_ins_total", { outcome: "success" })).toBe(1);
        }
        expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
      } finally {
        server.close();
      }
    }
  });

  it("aggregates the web processes of a cluster on METRICS_PORT: counters summed, dependency down if any process cannot reach it, queue depth once", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/metrics-cluster.ts", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
        child.once("exit", (code) => reject(new Error(`cluster exited with ${code}`)));
      });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sampleValue(text, "latchkey_sign_ins_total", { outcome: "success" })).toBe(2);
      expect(sampleValue(text, "latchkey_dependency_up", { dependency: "postgresql" })).toBe(1);
      expect(sampleValue(text, "latchkey_dependency_up", { dependency: "redis" })).toBe(0);
      expect(sampleValue(text, "latchkey_queue_jobs", { queue: "mail", state: "waiting" })).toBe(3);
      expect(sampleValue(text, "latchkey_outbox_pending")).toBe(2);
      expect(sampleValue(text, "latchkey_change_marks_pending")).toBe(0);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
