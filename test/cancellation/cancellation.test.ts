import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { accountCancellations } from "../../src/modules/cancellation/tables.js";
import { tickets } from "../../src/modules/tickets/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { memberships } from "../../src/modules/workspaces/tables.js";
import { HttpClient } from "../helpers/http-client.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function memberWithData() {
  const owner = await createUser(app.deps);
  const user = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  await addMember(app.deps, workspace, user, "member");
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  await app.deps.db.update(users).set({ phone, phoneVerifiedAt: new Date() }).where(eq(users.id, user.id));
  const client = await signedInClient(app.baseUrl, user);
  const opened = await client.post(`/w/${workspace.slug}/tickets`, { subject: "Help please", body: `Call me at ${phone}` });
  expect(opened.status).toBe(303);
  await app.deps.db.execute(sql`insert into access_tokens (user_id, name, secret_hash, scopes, expires_at) values (${user.id}, 'cli', ${`hash-${user.id}`}, '{}', now() + interval '30 days')`);
  await app.deps.db.execute(sql`insert into backup_codes (user_id, code_hash) values (${user.id}, ${`bc-${user.id}`})`);
  await app.deps.redis.set(`${app.redisPrefix}code:{${user.id}}:contact-email`, "x");
  await app.deps.db.execute(sql`insert into known_devices (user_id, device_hash, last_seen_at) values (${user.id}, ${`dev-${user.id}`}, now()) on conflict do nothing`);
  await app.deps.db.execute(sql`insert into notice_preferences (user_id, mute_optional) values (${user.id}, true) on conflict do nothing`);
  // A linked GitHub-like identity showing the account's email (it must go with the account).
  await app.deps.db.execute(sql`with provider as (insert into identity_providers (kind, slug, name, issuer, client_id, client_secret_sealed) values ('oidc', ${`p-${user.id.slice(0, 8)}`}, 'Purge ID', 'https://id.example', 'c', 'v1.x.y.z') returning id)
    insert into linked_identities (provider_id, user_id, subject, login, email) select id, ${user.id}, ${`sub-${user.id}`}, ${user.username}, ${user.email} from provider`);
  return { owner, user: { ...user, phone }, workspace, client };
}

async function verifyByPassword(client: HttpClient, password: string) {
  expect((await client.get("/settings/account")).text).toContain('data-step="verify"');
  const response = await client.post("/settings/account/verify", { method: "password", password });
  expect(response.status).toBe(303);
}

async function waitForPurge(userId: string) {
  await vi.waitFor(
    async () => {
      const [row] = await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, userId));
      expect(row?.purgeCompletedAt).toBeInstanceOf(Date);
      expect(row?.ticketsClosedAt).toBeInstanceOf(Date);
    },
    { timeout: 15_000, interval: 100 },
  );
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

// Every text-like column of every table, searched for the account's personal data.
async function personalDataHits(needles: string[]) {
  const columns = rowsOf<{ table_name: string; column_name: string }>(await app.deps.db.execute(
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'ARRAY', 'inet')`,
  ));
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    for (const needle of needles) {
      const [result] = rowsOf<{ n: number }>(await app.deps.db.execute(sql`select count(*)::int as n from ${sql.identifier(table_name)} where ${sql.identifier(column_name)}::text ilike ${`%${needle}%`}`));
      if (result!.n > 0) hits.push(`${table_name}.${column_name} has ${needle}`);
    }
  }
  return hits;
}

// Rows still pointing at the account, in tables other than the ones that keep its id on purpose.
async function rowsReferencing(userId: string) {
  const columns = rowsOf<{ table_name: string; column_name: string }>(await app.deps.db.execute(
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type = 'uuid' and column_name in ('user_id', 'author_id', 'created_by_id', 'accepted_by', 'invited_by')`,
  ));
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    if (table_name === "account_cancellations") continue;
    const [result] = rowsOf<{ n: number }>(await app.deps.db.execute(sql`select count(*)::int as n from ${sql.identifier(table_name)} where ${sql.identifier(column_name)} = ${userId}`));
    if (result!.n > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

describe("account cancellation", () => {
  it("verify, review, agree and confirm: cancelled at once, signed out, mailed; the worker purges and closes tickets", async () => {
    const { owner, user, workspace, client } = await memberWithData();
    expect((await client.get("/settings/security")).text).toContain('href="/settings/account"');

    const wrong = await client.post("/settings/account/verify", { method: "password", password: "nope" }, { htmx: true });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("That password is not correct.");
    // Skipping step 1 gets nowhere.
    expect((await client.post("/settings/account/cancel", { agree: "yes", username: user.username })).location).toBe("/settings/account");
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");

    await verifyByPassword(client, user.password);
    const summary = await client.get("/settings/account");
    expect(summary.text).toContain('data-step="confirm"');
    expect(summary.text).toContain("Open tickets: 1");
    expect(summary.text).toContain("Access tokens: 1");
    expect(summary.text).toContain(workspace.name);
    expect(summary.text).toMatch(/data-testid="tickets-close-by">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2} UTC \(end of the 7th business day/);

    const noAgree = await client.post("/settings/account/cancel", { username: user.username }, { htmx: true });
    expect(noAgree.status).toBe(422);
    expect(noAgree.text).toContain("Read and agree to the terms to continue.");
    const badName = await client.post("/settings/account/cancel", { agree: "yes", username: "someone" }, { htmx: true });
    expect(badName.status).toBe(422);
    expect(badName.text).toContain("Type your username exactly as shown.");
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");

    const confirmed = await client.post("/settings/account/cancel", { agree: "yes", username: user.username });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toMatch(/^\/account-cancelled\/[0-9a-f-]{36}\/[\w-]{43}$/);
    const cancelled = await reloadUser(app.deps, user.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.username).not.toBe(user.username);
    expect(await app.deps.db.select().from(memberships).where(eq(memberships.userId, user.id))).toHaveLength(0);
    // Every session ended: the next request is signed out.
    expect((await client.get("/settings/security")).location).toMatch(/^\/login/);
    await app.mail.waitFor(user.email, /Your Latchkey account was cancelled/, { text: /closed by/ });

    await waitForPurge(user.id);
    const status = await new HttpClient(app.baseUrl).get(confirmed.location!);
    expect(status.status).toBe(200);
    expect(status.text).toContain("All personal data was removed");
    expect((await new HttpClient(app.baseUrl).get(confirmed.location!.replace(/.$/, (c) => (c === "A" ? "B" : "A")))).status).toBe(404);

    const [ticket] = await app.deps.db.select().from(tickets).where(eq(tickets.workspaceId, workspace.id));
    expect(ticket).toMatchObject({ status: "closed", authorId: null });
    expect(ticket!.closedNote).toContain("cancelled");
    const ownerView = await (await signedInClient(app.baseUrl, owner)).get(`/w/${workspace.slug}/tickets/${ticket!.id}`);
    expect(ownerView.text).toMatch(/data-testid="ticket-author">Cancelled user</);
    expect(ownerView.text).toContain("the account that opened this ticket was cancelled");
    // The workspace's activity keeps the history, naming nobody.
    const activity = await (await signedInClient(app.baseUrl, owner)).get(`/w/${workspace.slug}/activity`);
    expect(activity.text).toContain("Cancelled user");
    expect(activity.text).not.toMatch(/cancelled-[0-9a-f]/);

    expect(await rowsReferencing(user.id)).toEqual([]);
    // The ticket body quoted the phone number: that is the workspace's record and stays.
    const hits = (await personalDataHits([user.email, user.username, user.phone])).filter((hit) => hit !== `tickets.body has ${user.phone}`);
    expect(hits).toEqual([]);
    expect(await app.deps.redis.exists(`${app.redisPrefix}code:{${user.id}}:contact-email`, `${app.redisPrefix}user-sessions:${user.id}`)).toBe(0);

    // The freed email registers a brand-new, unrelated account.
    const again = await createUser(app.deps, { email: user.email, username: user.username });
    const newClient = await signedInClient(app.baseUrl, again);
    expect((await newClient.get(`/w/${workspace.slug}/tickets`)).status).toBe(404);
    const workspacesPage = await newClient.get("/workspaces");
    expect(workspacesPage.text).not.toContain(workspace.name);
  });

  it("verifies by a code sent to the email or the phone", async () => {
    const { user, client } = await memberWithData();
    expect((await client.post("/settings/account/code", { channel: "email" })).status).toBe(303);
    const mail = await app.mail.waitFor(user.email, /cancel your account/);
    expect((await client.post("/settings/account/verify", { method: "email", code: "000000" === codeIn(mail.text) ? "111111" : "000000" }, { htmx: true })).status).toBe(422);
    expect((await client.post("/settings/account/verify", { method: "email", code: codeIn(mail.text) })).status).toBe(303);
    expect((await client.get("/settings/account")).text).toContain('data-step="confirm"');

    const other = await memberWithData();
    expect((await other.client.post("/settings/account/code", { channel: "sms" })).status).toBe(303);
    const sms = await app.sms.waitFor(other.user.phone, /cancel your account/);
    expect((await other.client.post("/settings/account/verify", { method: "sms", code: codeIn(sms.text) })).status).toBe(303);
    expect((await other.client.get("/settings/account")).text).toContain('data-step="confirm"');
  });

  it("an owner is stopped with transfer links and cannot confirm", async () => {
    const { owner, workspace } = await memberWithData();
    const client = await signedInClient(app.baseUrl, owner);
    await verifyByPassword(client, owner.password);
    const page = await client.get("/settings/account");
    expect(page.text).toContain('data-step="owner"');
    expect(page.text).toContain(`/w/${workspace.slug}/settings/ownership`);
    const refused = await client.post("/settings/account/cancel", { agree: "yes", username: owner.username });
    expect(refused.status).toBe(409);
    expect((await reloadUser(app.deps, owner.id)).status).toBe("active");
  });

  it("a workspace the owner alone belongs to can be deleted from step 2 by typing its name; one with members cannot", async () => {
    const owner = await createUser(app.deps);
    const solo = await createWorkspace(app.deps, owner);
    const shared = await createWorkspace(app.deps, owner);
    await addMember(app.deps, shared, await createUser(app.deps));
    const client = await signedInClient(app.baseUrl, owner);
    await verifyByPassword(client, owner.password);
    const page = await client.get("/settings/account");
    expect(page.text).toContain('data-step="owner"');
    expect(page.text).toContain(`name="slug" value="${solo.slug}"`);
    expect(page.text).not.toContain(`name="slug" value="${shared.slug}"`);

    const wrong = await client.post("/settings/account/workspaces/delete", { confirmed: "yes", slug: solo.slug, confirmName: "nope" }, { htmx: true });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("Type the workspace&#39;s name exactly as shown.");
    expect((await client.post("/settings/account/workspaces/delete", { confirmed: "yes", slug: shared.slug, confirmName: shared.name })).status).toBe(409);
    expect((await client.post("/settings/account/workspaces/delete", { confirmed: "yes", slug: solo.slug, confirmName: solo.name })).status).toBe(303);
    const left = await app.deps.db.select().from(memberships).where(eq(memberships.userId, owner.id));
    expect(left.map((row) => row.workspaceId)).toEqual([shared.id]);
    // Someone else's workspace is not found, whatever its name.
    const stranger = await memberWithData();
    await verifyByPassword(stranger.client, stranger.user.password);
    expect((await stranger.client.post("/settings/account/workspaces/delete", { confirmed: "yes", slug: shared.slug, confirmName: shared.name })).status).toBe(404);
  });

  it("SSO accounts (no password) never see the entry and the routes refuse them", async () => {
    const { user, client } = await memberWithData();
    await app.deps.db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
    expect((await client.get("/settings/security")).text).not.toContain('href="/settings/account"');
    expect((await client.get("/settings/account")).status).toBe(404);
    expect((await client.post("/settings/account/code", { channel: "email" })).status).toBe(404);
    expect((await client.post("/settings/account/cancel", { agree: "yes", username: user.username })).status).toBe(404);
    expect((await reloadUser(app.deps, user.id)).status).toBe("active");
  });

  it("a double submit cancels once", async () => {
    const { user, client } = await memberWithData();
    await verifyByPassword(client, user.password);
    await client.get("/settings/account");
    const [first, second] = await Promise.all([
      client.post("/settings/account/cancel", { agree: "yes", username: user.username }),
      client.post("/settings/account/cancel", { agree: "yes", username: user.username }),
    ]);
    expect([first.status, second.status].sort()).toEqual([303, 409]);
    expect(await app.deps.db.select().from(accountCancellations).where(eq(accountCancellations.userId, user.id))).toHaveLength(1);
    await waitForPurge(user.id);
  });
});
