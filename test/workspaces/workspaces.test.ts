import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { memberships } from "../../src/modules/workspaces/tables.js";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { sessionIdOf } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("workspaces", () => {
  it("creates a workspace with a derived slug, makes the creator its owner and switches to it", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/workspaces/new");
    const response = await client.post("/workspaces", { name: "Dune Research Lab", slug: "" });
    expect(response.location).toBe("/w/dune-research-lab");
    const list = await client.get("/workspaces");
    expect(list.text).toContain("Dune Research Lab");
    expect(list.text).toMatch(/Dune Research Lab<\/a> <span class="badge badge--accent">Active/);
  });

  it("refuses a taken slug next to the field", async () => {
    const user = await createUser(app.deps);
    const existing = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/workspaces/new");
    const response = await client.post("/workspaces", { name: "Another", slug: existing.slug });
    expect(response.status).toBe(409);
    expect(response.text).toContain('id="field-slug-error">That address is taken. Choose another.<');
  });

  it("lists only my workspaces and switches the active one", async () => {
    const user = await createUser(app.deps);
    const stranger = await createUser(app.deps);
    const first = await createWorkspace(app.deps, user, "Alpha_" + user.username);
    const second = await createWorkspace(app.deps, user, "Beta_" + user.username);
    const foreign = await createWorkspace(app.deps, stranger);
    const client = await signedInClient(app.baseUrl, user);
    const list = await client.get("/workspaces");
    expect(list.text).toContain(first.name);
    expect(list.text).toContain(second.name);
    expect(list.text).not.toContain(foreign.name);

    const before = sessionIdOf(client);
    const switched = await client.post("/workspaces/switch", { slug: second.slug });
    expect(switched.location).toBe(`/w/${second.slug}`);
    // The role can differ between workspaces: a privilege change, so a new session id.
    expect(sessionIdOf(client)).not.toBe(before);
    expect((await client.get("/")).location).toBe(`/w/${second.slug}`);
  });

  it("the database refuses a second owner in one workspace", async () => {
    const owner = await createUser(app.deps);
    const other = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await expect(app.deps.db.insert(memberships).values({ workspaceId: workspace.id, userId: other.id, role: "owner" })).rejects.toThrow();
    const rows = await app.deps.db.select().from(memberships).where(eq(memberships.workspaceId, workspace.id));
    expect(rows).toHaveLength(1);
  });

  it("a user without a workspace is led to create the first one", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const home = await client.get("/");
    expect(home.location).toBe("/workspaces/new?first=1");
    expect((await client.get(home.location!)).text).toContain("Create your first workspace");
  });
});
