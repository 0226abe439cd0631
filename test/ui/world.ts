import type { Page } from "playwright-core";
import type { BrowserHarness } from "../helpers/browser.js";
import { addMember, createUser } from "../helpers/factories.js";
import type { TestApp } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";
import { createInvitation } from "../../src/modules/invitations/service.js";
import { createToken } from "../../src/modules/tokens/service.js";
import { eq } from "drizzle-orm";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { findUserByLogin } from "../../src/modules/users/repo.js";
import type { User } from "../../src/modules/users/tables.js";
import { insertTicket } from "../../src/modules/tickets/repo.js";

// The people and things the page tour needs, made once per test file: an
// instance administrator created through /setup in the browser (owner of the
// workspace "Analytical Engines"), a plain member with two-factor on, a ticket,
// a token, an open invitation and a password-reset link. One signed-in
// browser context per person, reused by every page they open.
export type Role = "visitor" | "admin" | "member";

export const WORKSPACE_NAME = "Analytical Engines";
export const WORKSPACE_SLUG = "analytical-engines";
export const ADMIN = { username: "ada", email: "ada@example.test", password: "Difference-Engine-1843" };

export interface World {
  app: TestApp;
  pages: Record<Role, Page>;
  member: User & { password: string; totpSecret: string };
  ids: { ticket: string; token: string; memberToken: string; invitation: string; reset: string; adminId: string };
}

export interface WorldBuilder {
  // The visitor's page works before anything exists (the /setup page).
  visitor(): Promise<Page>;
  // Everything else: runs the setup once, then makes the rest.
  ready(): Promise<World>;
}

export function worldBuilder(app: TestApp, browser: BrowserHarness, contextOptions: { viewport: { width: number; height: number } }): WorldBuilder {
  let visitor: Promise<Page> | undefined;
  let world: Promise<World> | undefined;
  const newPage = () => browser.newPage(app.baseUrl, contextOptions);
  const getVisitor = () => (visitor ??= newPage());

  async function build(): Promise<World> {
    const admin = await newPage();
    await admin.goto("/setup");
    await admin.fill("input[name=username]", ADMIN.username);
    await admin.fill("input[name=email]", ADMIN.email);
    await admin.fill("input[name=password]", ADMIN.password);
    await admin.fill("input[name=confirmPassword]", ADMIN.password);
    await admin.fill("input[name=workspaceName]", WORKSPACE_NAME);
    await admin.locator("form[action='/setup'] button[type=submit]").click();
    await admin.waitForURL(`**/w/${WORKSPACE_SLUG}`);

    const { deps } = app;
    const [workspace] = await deps.db.select().from(workspaces).where(eq(workspaces.slug, WORKSPACE_SLUG));
    const adminUser = await findUserByLogin(deps.db, ADMIN.username);
    if (!workspace || !adminUser) throw new Error("the setup did not create the administrator and the workspace");
    const memberUser = await createUser(deps, { username: "charles" });
    await addMember(deps, workspace, memberUser, "member");
    const { secret } = await enableTotpFor(deps, memberUser);
    const meta = { ip: "127.0.0.1", userAgent: "page tour" };
    const actor = { id: adminUser.id, isInstanceAdmin: true, tokenScopes: null };
    const token = await createToken(deps, actor, adminUser, { name: "deploy script", scopes: ["account:read"] }, meta);
    const memberToken = await createToken(deps, actor, memberUser, { name: "charles's laptop", scopes: ["account:read", "audit:read"] }, meta);
    await createInvitation(deps, adminUser, workspace, { email: "grace@example.test", role: "member" }, meta);
    const invitationMail = await app.mail.waitFor("grace@example.test", /.*/);
    const ticket = await insertTicket(deps.db, { workspaceId: workspace.id, authorId: memberUser.id, subject: "The punched cards jam", body: "Since Tuesday the reader jams on every third card.", at: deps.clock.now() });

    // The member signs in through both steps, as anyone with an authenticator does.
    const member = await newPage();
    await member.goto("/login");
    await member.fill("input[name=login]", memberUser.username);
    await member.fill("input[name=password]", memberUser.password);
    await member.locator("form[action='/login'] button[type=submit]").click();
    await member.waitForURL("**/login/verify");
    await member.fill("input[name=code]", codeForSecret(secret, deps.clock.now().getTime(), 1));
    await member.locator("form[action='/login/verify'] button[type=submit]").click();
    await member.waitForURL((url) => !url.pathname.startsWith("/login"));

    // A reset link for the administrator (the visitor opens it signed out).
    const visitorPage = await getVisitor();
    await visitorPage.goto("/forgot-password");
    await visitorPage.fill("input[name=login]", ADMIN.email);
    await visitorPage.locator("form[action='/forgot-password'] button[type=submit]").click();
    await visitorPage.waitForLoadState("networkidle");
    const resetMail = await app.mail.waitFor(ADMIN.email, /.*/, { text: /reset-password\// });

    return {
      app,
      pages: { visitor: visitorPage, admin, member },
      member: { ...memberUser, totpSecret: secret },
      ids: {
        ticket: ticket.id,
        token: token.token.id,
        memberToken: memberToken.token.id,
        invitation: linkToken(invitationMail.text, "invitations"),
        reset: linkToken(resetMail.text, "reset-password"),
        adminId: adminUser.id,
      },
    };
  }

  return { visitor: getVisitor, ready: () => (world ??= build()) };
}

function linkToken(text: string, prefix: string): string {
  const match = new RegExp(`/${prefix}/([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no /${prefix}/ link in: ${text}`);
  return match[1]!;
}
