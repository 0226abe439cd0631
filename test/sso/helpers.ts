import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { createSecretBox } from "../../src/platform/crypto/secret-box.js";
import { ssoConfigs, ssoIdentities } from "../../src/modules/sso/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { workspaces, type Workspace } from "../../src/modules/workspaces/tables.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { HttpClient, type HttpResponse } from "../helpers/http-client.js";
import type { TestOidcProvider } from "../helpers/oidc-provider.js";
import type { TestApp } from "../helpers/test-app.js";

// Shared steps of the SSO tests: a workspace with SSO configured against the
// test provider, and the browser's side of a sign-in (over plain HTTP).

export const CLIENT_SECRET = "sso-client-secret-value-0123456789";

export async function workspaceWithSso(
  app: TestApp,
  op: TestOidcProvider,
  options: { domains?: string[]; defaultRole?: "member" | "admin"; required?: boolean; trustProviderMfa?: boolean } = {},
) {
  const owner = await createUser(app.deps);
  const workspace = await createWorkspace(app.deps, owner);
  const clientId = `latchkey-${randomBytes(4).toString("hex")}`;
  op.addClient({ client_id: clientId, client_secret: CLIENT_SECRET, redirect_uris: [`${app.deps.config.baseUrl}/sso/${workspace.slug}/callback`] });
  await app.deps.db.insert(ssoConfigs).values({
    workspaceId: workspace.id,
    issuer: op.issuer,
    clientId,
    clientSecretSealed: createSecretBox(app.deps.config.secretKey, "sso-client-secret").seal(CLIENT_SECRET),
    allowedDomains: options.domains ?? ["corp.example"],
    defaultRole: options.defaultRole ?? "member",
    trustProviderMfa: options.trustProviderMfa ?? false,
  });
  if (options.required) await app.deps.db.update(workspaces).set({ requireSso: true }).where(eq(workspaces.id, workspace.id));
  return { owner, workspace, clientId };
}

// Registers a provider client for a workspace configured through the settings page.
export function registerClient(app: TestApp, op: TestOidcProvider, workspace: Workspace, clientId: string) {
  op.addClient({ client_id: clientId, client_secret: CLIENT_SECRET, redirect_uris: [`${app.deps.config.baseUrl}/sso/${workspace.slug}/callback`] });
}

export function person(overrides: { sub?: string; email?: string; name?: string; amr?: string[]; acr?: string; email_verified?: boolean } = {}) {
  const sub = overrides.sub ?? `sub-${randomBytes(5).toString("hex")}`;
  return { sub, email: `${sub}@corp.example`, email_verified: true, name: "Pat Example", ...overrides };
}

// Up to the provider: the app's /sso/:slug page, its link, and the
// authorization URL it redirects to.
export async function startAtApp(client: HttpClient, slug: string): Promise<string> {
  const page = await client.get(`/sso/${slug}`);
  if (page.status !== 200) throw new Error(`/sso/${slug} answered ${page.status}`);
  const leave = await client.get(`/sso/${slug}/start`);
  if (leave.status !== 303 || !leave.location) throw new Error(`/sso/${slug}/start answered ${leave.status}: ${leave.text.slice(0, 300)}`);
  return leave.location;
}

// Delivers the provider's redirect (an absolute URL back to the app).
export function deliver(client: HttpClient, callbackUrl: string): Promise<HttpResponse> {
  const url = new URL(callbackUrl);
  return client.get(url.pathname + url.search);
}

// A whole sign-in: start, log in at the provider as `login`, come back.
export async function ssoSignIn(app: TestApp, op: TestOidcProvider, slug: string, login: string, client = new HttpClient(app.baseUrl)) {
  const authorizationUrl = await startAtApp(client, slug);
  const callback = await op.authorize(authorizationUrl, login);
  const response = await deliver(client, callback);
  return { client, response, callback, authorizationUrl };
}

export async function accountByEmail(app: TestApp, email: string) {
  const [user] = await app.deps.db.select().from(users).where(eq(users.email, email));
  return user;
}

export async function identitiesOf(app: TestApp, userId: string) {
  return app.deps.db.select().from(ssoIdentities).where(eq(ssoIdentities.userId, userId));
}
