import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { buildDeps, type Deps } from "../../src/platform/deps.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { TEST_REDIS_URL } from "../helpers/env.js";
import { testEnv } from "../helpers/test-app.js";
import type { Server } from "node:http";

// The zero-setup default: no DATABASE_URL means embedded PGlite under DATA_DIR,
// with the same migrations.
let deps: Deps;
let server: Server;
let baseUrl: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-pglite-"));
  const config = loadConfig(testEnv({ DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `lk-pglite-${randomBytes(4).toString("hex")}:` }));
  deps = await buildDeps(config);
  await deps.database.migrate();
  server = createApp(deps).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const keys = await deps.redis.keys(`${deps.config.redisPrefix}*`);
  if (keys.length) await deps.redis.del(...keys);
  await deps.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PGlite", () => {
  it("migrates, serves the sign-in page and signs a user in", async () => {
    expect(deps.database.kind).toBe("pglite");
    const user = await createUser(deps);
    const workspace = await createWorkspace(deps, user);
    const client = new HttpClient(baseUrl);
    const page = await client.get("/login");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Sign in to Latchkey");
    const response = await client.post("/login", { login: user.username, password: user.password });
    expect(response.status).toBe(303);
    const home = await client.get(`/w/${workspace.slug}`);
    expect(home.text).toContain(workspace.name);
  });
});
