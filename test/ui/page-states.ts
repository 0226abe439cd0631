import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { ADMIN, WORKSPACE_SLUG, type Role, type World } from "./world.js";

// Every page a person can land on, in the states worth checking. The page
// tour (page-tour.ts, one pages.<language>.browser.test.ts per language) opens each one in every language, at desktop
// and phone widths, in light and dark, and runs axe-core, the no-sideways-
// scrolling check and the title check on it.
//
// Adding a page: add an entry here (a GET `path`, or `open` steps that end on
// the page). `as` picks the signed-in browser context that opens it: the
// instance administrator ("admin", owner of the workspace), a plain member with
// two-factor on ("member") or a signed-out visitor ("visitor", cookies cleared
// first). Pages of a module that may not be in the tree yet carry `when`.
export interface PageState {
  name: string;
  as: Role;
  path?: (world: World) => string;
  open?: (page: Page, world: World) => Promise<void>;
  status?: number;
  when?: () => boolean;
}

const w = (suffix = "") => `/w/${WORKSPACE_SLUG}${suffix}`;
// A page another module is adding: checked once a module that src/app.ts
// registers names the path.
const routeExists = (path: string) => () => {
  const modules = new URL("../../src/modules/", import.meta.url);
  const app = readFileSync(new URL("../../src/app.ts", import.meta.url), "utf8");
  return readdirSync(modules).some((name) => {
    if (!app.includes(`./modules/${name}/`)) return false;
    const routes = new URL(`${name}/`, modules);
    return existsSync(routes) && readdirSync(routes).some((file) => file.endsWith(".ts") && readFileSync(new URL(file, routes), "utf8").includes(`"${path}"`));
  });
};

// Submits a form of the current page as confirmed (web/confirm.ts), without
// clicking through the dialog in front of it: the tour wants the page that
// answers. `confirm: false` shows the confirmation step instead.
async function submitForm(page: Page, action: string, { confirm = true } = {}): Promise<void> {
  await Promise.all([
    page.waitForNavigation(),
    page
      .locator(`form[action='${action}']`)
      .first()
      .evaluate((form: HTMLFormElement, confirmed) => {
        if (confirmed) {
          const field = Object.assign(document.createElement("input"), { type: "hidden", name: "confirmed", value: "yes" });
          form.append(field);
        }
        form.submit();
      }, confirm),
  ]);
}

export const PAGE_STATES: PageState[] = [
  // Only before the first account exists; the tour runs it first.
  { name: "setup", as: "visitor", path: () => "/setup" },

  { name: "sign in", as: "visitor", path: () => "/login" },
  {
    name: "sign in with an error",
    as: "visitor",
    open: async (page) => {
      await page.goto("/login");
      await page.fill("input[name=login]", ADMIN.username);
      await page.fill("input[name=password]", "not the password");
      await page.locator("form[action='/login'] button[type=submit]").click();
      await page.locator("[aria-invalid=true], .alert--error").first().waitFor();
    },
  },
  {
    name: "two-step verification",
    as: "visitor",
    open: async (page, world) => {
      await page.goto("/login");
      await page.fill("input[name=login]", world.member.username);
      await page.fill("input[name=password]", world.member.password);
      await page.locator("form[action='/login'] button[type=submit]").click();
      await page.waitForURL("**/login/verify");
    },
  },
  { name: "register", as: "visitor", path: () => "/register" },
  { name: "forgot password", as: "visitor", path: () => "/forgot-password" },
  {
    name: "forgot password: sent",
    as: "visitor",
    open: async (page) => {
      await page.goto("/forgot-password");
      await page.fill("input[name=login]", `nobody-${Math.random().toString(36).slice(2)}@example.test`);
      await submitForm(page, "/forgot-password");
    },
  },
  { name: "choose a new password", as: "visitor", path: (world) => `/reset-password/${world.ids.reset}` },
  { name: "reset link invalid", as: "visitor", path: () => "/reset-password/not-a-real-link", status: 404 },
  { name: "invitation", as: "visitor", path: (world) => `/invitations/${world.ids.invitation}` },
  { name: "page not found", as: "visitor", path: () => "/no-such-page", status: 404 },
  { name: "API reference", as: "visitor", path: () => "/api/v1/docs" },

  { name: "profile", as: "admin", path: () => "/settings/profile" },
  { name: "security", as: "admin", path: () => "/settings/security" },
  { name: "security with two-factor on", as: "member", path: () => "/settings/security" },
  { name: "two-factor setup", as: "admin", path: () => "/settings/security/two-factor/setup" },
  {
    name: "backup codes",
    as: "member",
    open: async (page) => {
      await page.goto("/settings/security");
      await submitForm(page, "/settings/security/two-factor/backup-codes");
      await page.getByTestId("backup-codes").waitFor();
    },
  },
  {
    name: "confirmation step (no JavaScript)",
    as: "member",
    open: async (page) => {
      await page.goto("/settings/security");
      await submitForm(page, "/settings/security/two-factor/backup-codes", { confirm: false });
    },
  },
  { name: "security activity", as: "admin", path: () => "/settings/security/activity" },
  { name: "re-authenticate", as: "admin", path: () => "/reauth?return_to=/settings/security" },
  { name: "cancel account", as: "admin", path: () => "/settings/account" },
  { name: "tokens", as: "admin", path: () => "/settings/tokens" },
  { name: "token edit", as: "admin", path: (world) => `/settings/tokens/${world.ids.token}/edit` },
  { name: "token roll", as: "admin", path: (world) => `/settings/tokens/${world.ids.token}/roll` },
  { name: "token delete", as: "admin", path: (world) => `/settings/tokens/${world.ids.token}/delete` },
  { name: "linked accounts", as: "admin", path: () => "/settings/connections", when: routeExists("/settings/connections") },

  { name: "workspaces", as: "admin", path: () => "/workspaces" },
  { name: "new workspace", as: "admin", path: () => "/workspaces/new" },
  { name: "workspace home", as: "admin", path: () => w() },
  { name: "workspace home (member)", as: "member", path: () => w() },
  { name: "members", as: "admin", path: () => w("/members") },
  { name: "members (member)", as: "member", path: () => w("/members") },
  { name: "workspace settings", as: "admin", path: () => w("/settings") },
  { name: "workspace single sign-on", as: "admin", path: () => w("/settings/sso"), when: routeExists("/settings/sso") },
  { name: "transfer ownership", as: "admin", path: () => w("/settings/ownership") },
  { name: "workspace activity", as: "admin", path: () => w("/activity") },
  { name: "tickets", as: "admin", path: () => w("/tickets") },
  { name: "ticket", as: "admin", path: (world) => w(`/tickets/${world.ids.ticket}`) },
  { name: "tickets (member)", as: "member", path: () => w("/tickets") },

  { name: "instance users", as: "admin", path: () => "/admin/users" },
  { name: "new user", as: "admin", path: () => "/admin/users/new" },
  { name: "instance user", as: "admin", path: (world) => `/admin/users/${world.member.id}` },
  { name: "a user's tokens", as: "admin", path: (world) => `/admin/users/${world.member.id}/tokens` },
  { name: "instance activity", as: "admin", path: () => "/admin/activity" },
  { name: "background jobs", as: "admin", path: () => "/admin/jobs" },
  { name: "sign-in providers", as: "admin", path: () => "/admin/providers", when: routeExists("/admin/providers") },
  { name: "mailbox", as: "admin", path: () => "/dev/mailbox" },
  { name: "forbidden", as: "member", path: () => "/admin/users", status: 403 },
];

// The languages every page is checked in (English and Simplified Chinese);
// useLanguage must then make the page come in that language (the request's
// Accept-Language for visitors; for signed-in people whatever the app reads
// first, e.g. their saved choice).
export const LANGUAGES = ["en", "zh-CN"] as const;

export async function useLanguage(page: Page, language: string): Promise<void> {
  await page.setExtraHTTPHeaders({ "Accept-Language": language });
}

// Opens the state and checks the answer's status.
export async function openState(page: Page, state: PageState, world: World | undefined): Promise<void> {
  if (state.as === "visitor" && state.name !== "setup") await page.context().clearCookies();
  if (state.open) return state.open(page, world!);
  const response = await page.goto(state.path!(world!));
  const status = response?.status();
  if (status !== (state.status ?? 200)) throw new Error(`${state.name}: ${state.path!(world!)} answered ${status}, expected ${state.status ?? 200}`);
}
