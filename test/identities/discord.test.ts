import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedIdentities } from "../../src/modules/identities/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { addProvider, startAt } from "../helpers/identities.js";
import { startOAuthStandIn, type OAuthStandIn } from "../helpers/oauth-stand-ins.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;
let discord: OAuthStandIn;
let n = 0;
const discordUser = () => {
  n++;
  const tag = `${n}${Math.random().toString(36).slice(2, 7)}`;
  return { id: String(80_000_000_000 + Math.floor(Math.random() * 1e9)), login: `wumpus${tag}`, email: `wumpus${tag}@discord.example`, avatar: "a1b2c3d4" };
};

beforeAll(async () => {
  discord = await startOAuthStandIn("discord");
  app = await startTestApp({ localhostOrigin: true, env: discord.env() });
  const admin = await createUser(app.deps, { isInstanceAdmin: true });
  await addProvider(app.deps, admin, { kind: "discord", clientId: discord.clientId, clientSecret: discord.clientSecret });
});
afterAll(async () => {
  await app.close();
  await discord.close();
});

describe("Discord", () => {
  it("binds with Discord's documented endpoints, shows the avatar, signs in, and unbinds", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const person = discordUser();
    discord.signInAs(person);
    const authorizeUrl = await startAt(client, "/settings/connections/discord/bind", "/settings/connections");
    expect(authorizeUrl.startsWith(`${discord.url}/oauth2/authorize?`)).toBe(true);
    expect(new URL(authorizeUrl).searchParams.get("scope")).toBe("identify email");
    expect((await client.get(await discord.approve(authorizeUrl))).status).toBe(303);
    const page = await client.get("/settings/connections");
    expect(page.text).toContain('data-testid="connection-status">Bound');
    expect(page.text).toContain(`https://cdn.discordapp.com/avatars/${person.id}/${person.avatar}.png`);

    const visitor = new HttpClient(app.baseUrl);
    expect((await visitor.get(await discord.approve(await startAt(visitor, "/login/providers/discord", "/login")))).status).toBe(303);
    expect((await visitor.get("/settings/profile")).text).toContain(user.username);

    await client.get("/settings/connections");
    expect((await client.post("/settings/connections/discord/unbind", { confirmed: "yes" })).status).toBe(303);
    expect(await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.userId, user.id))).toHaveLength(0);
  });

  it("creates an account for a new Discord user, which cannot unbind its only way in", async () => {
    const person = discordUser();
    discord.signInAs(person);
    const visitor = new HttpClient(app.baseUrl);
    expect((await visitor.get(await discord.approve(await startAt(visitor, "/login/providers/discord", "/login")))).status).toBe(303);
    const [created] = await app.deps.db.select().from(users).where(eq(users.email, person.email));
    expect(created).toMatchObject({ passwordHash: null, signedUpWithProvider: true });

    await visitor.get("/settings/connections");
    const refused = await visitor.post("/settings/connections/discord/unbind", { confirmed: "yes" });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("only way to sign in");
    expect(await app.deps.db.select().from(linkedIdentities).where(eq(linkedIdentities.userId, created!.id))).toHaveLength(1);
  });
});
