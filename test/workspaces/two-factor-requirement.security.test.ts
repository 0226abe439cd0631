import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient, uniqueName } from "../helpers/factories.js";
import type { HttpClient, HttpResponse } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { enableTotpFor } from "../helpers/two-factor.js";

// SECURITY.md, tenancy: "A workspace's requirements (2FA, SSO, session
// limits) apply to every request for that workspace's URLs, whichever
// workspace the session is signed into." A member without 2FA of a workspace
// that requires it must not reach that workspace's pages or actions by making
// another workspace the active one (switching to it, or creating a new one).
const SETUP = "/settings/security/two-factor/setup";
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Escape = "switches to another workspace" | "creates a new workspace";
type Role = "member" | "admin";

async function workspaceRow(id: string) {
  const [row] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, id));
  return row!;
}

// Workspace A requires 2FA and sorts first (so it is active at sign-in);
// its owner and another member use 2FA; `user` has none.
async function strictWorkspaceWith(role: Role) {
  const owner = await createUser(app.deps);
  const strict = await createWorkspace(app.deps, owner, uniqueName("aaa"));
  await app.deps.db.update(workspaces).set({ requireTwoFactor: true }).where(eq(workspaces.id, strict.id));
  const colleague = await createUser(app.deps);
  await addMember(app.deps, strict, colleague, "member");
  await enableTotpFor(app.deps, owner);
  await enableTotpFor(app.deps, colleague);
  const user = await createUser(app.deps);
  await addMember(app.deps, strict, user, role);
  return { owner, colleague, strict, user };
}

async function escape(how: Escape, client: HttpClient, user: Awaited<ReturnType<typeof createUser>>) {
  await client.get("/workspaces");
  if (how === "switches to another workspace") {
    const relaxed = await createWorkspace(app.deps, await createUser(app.deps), uniqueName("zzz"));
    await addMember(app.deps, relaxed, user, "member");
    const switched = await client.post("/workspaces/switch", { slug: relaxed.slug });
    expect(switched.location).toBe(`/w/${relaxed.slug}`);
  } else {
    const name = uniqueName("zzz");
    const created = await client.post("/workspaces", { name, slug: "" });
    expect(created.location).toBe(`/w/${name.replace(/_/g, "-")}`);
  }
}

describe.each<Escape>(["switches to another workspace", "creates a new workspace"])("a user without 2FA who %s", (how) => {
  it("as a member, still cannot open the workspace that requires 2FA or its members", async () => {
    const { owner, colleague, strict, user } = await strictWorkspaceWith("member");
    const client = await signedInClient(app.baseUrl, user);
    // Signed into the strict workspace: enrolment first (today's behaviour).
    expect((await client.get(`/w/${strict.slug}`)).location).toBe(SETUP);
    await escape(how, client, user);

    const responses: Array<[string, HttpResponse]> = [];
    for (const path of [`/w/${strict.slug}`, `/w/${strict.slug}/members`]) {
      const response = await client.get(path);
      responses.push([path, response]);
      expect(response.status, path).toBe(303);
      expect(response.location, path).toBe(SETUP);
    }
    for (const [path, response] of responses) {
      for (const email of [owner.email, colleague.email]) expect(response.text, path).not.toContain(email);
    }
  });

  it("as an admin, can neither see nor change the workspace that requires 2FA", async () => {
    const { owner, colleague, strict, user } = await strictWorkspaceWith("admin");
    const client = await signedInClient(app.baseUrl, user);
    expect((await client.get(`/w/${strict.slug}/settings`)).location).toBe(SETUP);
    await escape(how, client, user);
    const before = await workspaceRow(strict.id);

    const responses: Array<[string, HttpResponse]> = [];
    for (const path of [`/w/${strict.slug}`, `/w/${strict.slug}/members`, `/w/${strict.slug}/settings`]) {
      responses.push([`GET ${path}`, await client.get(path)]);
    }
    // Fresh authentication (just signed in): only the 2FA requirement stands in the way.
    const posts: Array<[string, Record<string, string>]> = [
      [`/w/${strict.slug}/settings/two-factor`, {}],
      [`/w/${strict.slug}/settings/sessions`, { sessionIdleMinutes: "30", sessionMaxDays: "1" }],
      [`/w/${strict.slug}/members/${colleague.id}/two-factor/reset`, {}],
    ];
    for (const [path, fields] of posts) responses.push([`POST ${path}`, await client.post(path, fields)]);

    for (const [what, response] of responses) {
      expect(response.status, what).toBe(303);
      expect(response.location, what).toBe(SETUP);
      for (const email of [owner.email, colleague.email]) expect(response.text, what).not.toContain(email);
    }
    expect(await workspaceRow(strict.id)).toEqual(before);
    expect(before.requireTwoFactor).toBe(true);
    expect((await reloadUser(app.deps, colleague.id)).totpEnabledAt).not.toBeNull();
  });
});
