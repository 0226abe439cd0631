import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { clientSecretBox } from "../../src/modules/identities/providers.js";
import { identityProviders } from "../../src/modules/identities/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-provider.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// /admin/providers: instance administrators configure sign-in providers.
const clock = manualClock(new Date());
let app: TestApp;
let op: TestOidcProvider;

beforeAll(async () => {
  app = await startTestApp({ localhostOrigin: true, clock });
  op = await startOidcProvider({ clients: [{ client_id: "latchkey", client_secret: "s", redirect_uris: [`${app.baseUrl}/auth/providers/corp/callback`] }] });
});
afterAll(async () => {
  await app.close();
  await op.stop();
});

const providerRow = async (slug: string) => (await app.deps.db.select().from(identityProviders).where(eq(identityProviders.slug, slug)))[0];

describe("/admin/providers", () => {
  it("is for instance administrators only", async () => {
    const member = await signedInClient(app.baseUrl, await createUser(app.deps));
    expect((await member.get("/admin/providers")).status).toBe(403);
  });

  it("adds GitHub with its secret encrypted at rest and never shown back, and records the change", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    await client.get("/admin/providers");
    const secret = "gh-secret-0123456789abcdef";
    const created = await client.post("/admin/providers", { kind: "github", name: "GitHub", clientId: "Iv1.gh-client", clientSecret: secret, signInEnabled: "on", linkingEnabled: "on" });
    expect(created.status).toBe(303);
    const page = await client.get("/admin/providers");
    expect(page.text).toContain("Iv1.gh-client");
    expect(page.text).toContain(`${app.baseUrl}/auth/providers/github/callback`);
    expect(page.text).not.toContain(secret);

    const row = (await providerRow("github"))!;
    expect(row.clientSecretSealed).not.toContain(secret);
    expect(row.clientSecretSealed).toMatch(/^v1\./);
    expect(clientSecretBox(app.deps.config).open(row.clientSecretSealed)).toBe(secret);
    expect(row).toMatchObject({ kind: "github", signInEnabled: true, linkingEnabled: true });

    const events = await app.deps.db.select().from(auditEvents).where(eq(auditEvents.action, "identity.provider_changed"));
    expect(events.some((event) => event.actorId === admin.id && (event.details as { change?: string }).change === "created")).toBe(true);
    expect(JSON.stringify(events)).not.toContain(secret);

    // Only providers open for sign-in show on the sign-in page.
    expect((await new HttpClient(app.baseUrl).get("/login")).text).toContain("Continue with GitHub");
    // A failed password sign-in shows the page again with them (a POST loads
    // them only then).
    const visitor = new HttpClient(app.baseUrl);
    await visitor.get("/login");
    const failed = await visitor.post("/login", { login: "nobody-here", password: "wrong password" });
    expect(failed.status).toBe(401);
    expect(failed.text).toContain("Continue with GitHub");

    // A second GitHub is refused; GitHub exists once.
    await client.get("/admin/providers");
    const again = await client.post("/admin/providers", { kind: "github", name: "GitHub 2", clientId: "x", clientSecret: "y" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("already configured");
  });

  it("changes a provider: an empty secret keeps the stored one, a new one replaces it, sign-in can be turned off", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    await client.get("/admin/providers");
    await client.post("/admin/providers", { kind: "discord", name: "Discord", clientId: "d-client", clientSecret: "first-secret", signInEnabled: "on", linkingEnabled: "on" });
    const before = (await providerRow("discord"))!;

    await client.get("/admin/providers");
    expect((await client.post("/admin/providers/discord", { name: "Discord chat", clientId: "d-client", clientSecret: "", linkingEnabled: "on" })).status).toBe(303);
    const kept = (await providerRow("discord"))!;
    expect(kept.clientSecretSealed).toBe(before.clientSecretSealed);
    expect(kept).toMatchObject({ name: "Discord chat", signInEnabled: false, linkingEnabled: true });
    expect((await new HttpClient(app.baseUrl).get("/login")).text).not.toContain("Continue with Discord chat");

    await client.get("/admin/providers");
    expect((await client.post("/admin/providers/discord", { name: "Discord chat", clientId: "d-client", clientSecret: "second-secret", linkingEnabled: "on" })).status).toBe(303);
    expect(clientSecretBox(app.deps.config).open((await providerRow("discord"))!.clientSecretSealed)).toBe("second-secret");
    const updates = (await app.deps.db.select().from(auditEvents).where(eq(auditEvents.action, "identity.provider_changed"))).map((event) => event.details as { provider: string; change: string; fields: string[] });
    expect(updates).toContainEqual(expect.objectContaining({ provider: "discord", change: "updated", fields: ["name", "signInEnabled"] }));
    expect(updates).toContainEqual(expect.objectContaining({ provider: "discord", change: "updated", fields: ["clientSecret"] }));
    expect(JSON.stringify(updates)).not.toMatch(/first-secret|second-secret/);
  });

  it("adds an OIDC provider by issuer URL (discovery) and refuses an issuer that does not answer", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    await client.get("/admin/providers");
    const bad = await client.post("/admin/providers", { kind: "oidc", name: "Nowhere", slug: "nowhere", issuer: "http://127.0.0.1:9/", clientId: "c", clientSecret: "s", linkingEnabled: "on" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('data-testid="issuer-error"');
    expect(await providerRow("nowhere")).toBeUndefined();

    await client.get("/admin/providers");
    const good = await client.post("/admin/providers", { kind: "oidc", name: "Corp ID", slug: "corp", issuer: op.issuer, clientId: "latchkey", clientSecret: "s", signInEnabled: "on", linkingEnabled: "on" });
    expect(good.status).toBe(303);
    expect(await providerRow("corp")).toMatchObject({ kind: "oidc", issuer: op.issuer });
  });

  it("needs a fresh authentication for changes", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    await client.get("/admin/providers");
    clock.advance(16 * 60_000);
    const stale = await client.post("/admin/providers", { kind: "oidc", name: "Late", slug: "late", issuer: op.issuer, clientId: "c", clientSecret: "s" });
    expect(stale.status).toBe(303);
    expect(stale.location).toMatch(/^\/reauth/);
    expect(await providerRow("late")).toBeUndefined();
  });
});
