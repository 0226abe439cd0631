import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function activityRows(html: string): string[] {
  const body = /data-testid="workspace-activity">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

describe("workspace activity", () => {
  it("shows owners and admins who signed in and what changed in their workspace only", async () => {
    const owner = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    const member = await createUser(app.deps);
    await addMember(app.deps, workspace, member, "member");
    const stranger = await createUser(app.deps);
    await createWorkspace(app.deps, stranger);
    await signedInClient(app.baseUrl, member);
    await signedInClient(app.baseUrl, stranger);

    const client = await signedInClient(app.baseUrl, owner);
    await client.get(`/w/${workspace.slug}/settings`);
    await client.post(`/w/${workspace.slug}/settings/sessions`, { sessionIdleMinutes: "60", sessionMaxDays: "7" });
    const rows = activityRows((await client.get(`/w/${workspace.slug}/settings`)).text);
    expect(rows[0]).toContain(`${owner.username} Session limits changed`);
    expect(rows[0]).toContain("Inactive 10080 → 60 min, maximum 30 → 7 days");
    expect(rows.some((row) => row.includes(`${member.username} Signed in`) && row.includes("127.0.0.1"))).toBe(true);
    expect(rows.some((row) => row.includes(stranger.username))).toBe(false);
  });
});
