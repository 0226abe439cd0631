import { randomBytes } from "node:crypto";
import pg from "pg";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../src/platform/deps.js";
import { users } from "../../src/modules/users/index.js";
import { memberships, workspaces } from "../../src/modules/workspaces/tables.js";
import { databaseUrlFor } from "../helpers/env.js";
import { addMember, createUser, createWorkspace, signedInClient, uniqueName } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { startProcessStack, type ProcessStack } from "../helpers/process-stack.js";

// Each web process keeps the signed-in user between requests
// (web/principal-cache.ts). Two real web processes, A and B, on one database
// and Redis: a change made through A, or by any other process (here the test
// itself, as a worker would), must be honoured by B's very next request,
// although B answered the request before from its copy. Every test first
// shows that B's copy is in use (its hit counter moves), so none of them
// passes merely because nothing is cached.

const METRICS_TOKEN = randomBytes(24).toString("hex");
let stack: ProcessStack;
let deps: Deps;
let A: string;
let B: string;

async function cacheHitsOn(base: string): Promise<number> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const match = /^latchkey_user_cache_total\{outcome="hit"\} (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

// Loads `url` on B twice and shows the second answer came from B's copy.
async function warmOnB(client: HttpClient, url: string, expectedStatus = 200): Promise<string> {
  expect((await client.get(`${B}${url}`)).status).toBe(expectedStatus);
  const hits = await cacheHitsOn(B);
  const response = await client.get(`${B}${url}`);
  expect(response.status).toBe(expectedStatus);
  expect(await cacheHitsOn(B)).toBeGreaterThan(hits);
  return response.text;
}

// An admin of a workspace (and its owner), the admin signed in on A.
async function adminOfAWorkspace() {
  const owner = await createUser(deps);
  const admin = await createUser(deps);
  const workspace = await createWorkspace(deps, owner);
  await addMember(deps, workspace, admin, "admin");
  return { owner, admin, workspace, client: await signedInClient(A, admin) };
}

beforeAll(async () => {
  stack = await startProcessStack({ name: "ucache", web: 2, env: { METRICS_TOKEN, USER_CACHE_SECONDS: "3600" } });
  deps = stack.deps;
  [A, B] = stack.bases as [string, string];
}, 150_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe("the signed-in user kept by each web process", () => {
  it("a role taken away through A is refused on B at once", async () => {
    const { owner, admin, workspace, client } = await adminOfAWorkspace();
    await warmOnB(client, `/w/${workspace.slug}/settings`);

    const ownerOnA = await signedInClient(A, owner);
    await ownerOnA.get(`/w/${workspace.slug}/members`);
    expect((await ownerOnA.post(`/w/${workspace.slug}/members/${admin.id}/role`, { role: "member", expected: "admin" })).status).toBe(303);
    expect((await client.get(`${B}/w/${workspace.slug}/settings`)).status).toBe(403);
  });

  it("an account locked by another process (as a job would) is signed out on B at once", async () => {
    const { admin, client } = await adminOfAWorkspace();
    await warmOnB(client, "/settings/profile");
    await deps.db.update(users).set({ status: "locked" }).where(eq(users.id, admin.id));
    const response = await client.get(`${B}/settings/profile`);
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/\/login/);
  });

  it("a removal from the workspace, and a renamed workspace, reach B at once", async () => {
    const { admin, workspace, client } = await adminOfAWorkspace();
    const other = await createWorkspace(deps, admin, uniqueName("ws"));
    await warmOnB(client, `/w/${workspace.slug}/members`);
    await deps.db.delete(memberships).where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.userId, admin.id)));
    expect((await client.get(`${B}/w/${workspace.slug}/members`)).status).toBe(404);

    // Renaming a workspace is a change to every member's copy.
    const page = await warmOnB(client, `/w/${other.slug}`);
    expect(page).toContain(other.name);
    await deps.db.update(workspaces).set({ name: "Renamed elsewhere" }).where(eq(workspaces.id, other.id));
    expect((await client.get(`${B}/w/${other.slug}`)).text).toContain("Renamed elsewhere");
  });

  it("a username changed through A shows on B's next page", async () => {
    const { admin, client } = await adminOfAWorkspace();
    // The security page names the user only in the header, from the copy.
    expect(await warmOnB(client, "/settings/security")).toContain(admin.username);
    await client.get(`${A}/settings/profile`);
    const renamed = uniqueName("renamed");
    expect((await client.post(`${A}/settings/profile/username`, { username: renamed })).status).toBe(303);
    const onB = await client.get(`${B}/settings/security`);
    expect(onB.text).toContain(renamed);
    expect(onB.text).not.toContain(admin.username);
  });

  it("a change written past the app (psql, a crashed writer) reaches B within the sweep", async () => {
    const { admin, client } = await adminOfAWorkspace();
    await warmOnB(client, "/settings/profile");
    const outside = new pg.Client({ connectionString: databaseUrlFor(stack.databaseName) });
    await outside.connect();
    await outside.query("update users set status = 'locked' where id = $1", [admin.id]).finally(() => outside.end());
    await stack.waitFor("B to sign the locked account out", async () => (await client.get(`${B}/settings/profile`)).status === 303, 6000);
  });
});
