import { Router, type Request, type Response } from "express";
import { notFound } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { tr } from "../../web/i18n.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth, requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { isHtmx, redirectTo, rememberForm, renderFragment, renderPage, safeReturnTo, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { readInstanceSettings } from "../instance-settings/index.js";
import { countPasskeys } from "../passkeys/index.js";
import { newPasswordSchema } from "../password/index.js";
import type { User } from "../users/index.js";
import { webActor } from "./actor.js";
import { listLinks, presentUserDetails, presentUserRow } from "./presenter.js";
import { workspacesOfUsers } from "./repo.js";
import { createUserSchema, emailEdit, registrationToggle, twoFactorToggle, userIdParams, userListQuery, usernameEdit } from "./schema.js";
import * as admin from "./service.js";

const LIST = "/admin/users";

export function adminRoutes(deps: WebDeps): Router {
  const router = Router();
  const guard = [requireUser, requireInstanceAdmin];
  const sensitive = [...guard, requireFreshAuth(deps)];
  const actorOf = (req: Request) => webActor(currentUserOf(req).user);

  // A malformed id is as unknown as a missing one: 404 either way.
  async function loadSubject(req: Request) {
    const parsed = userIdParams.safeParse(req.params);
    if (!parsed.success) throw notFound();
    return admin.requireUserById(deps, parsed.data.id);
  }

  async function detailsPage(req: Request, subject: User) {
    const workspaces = (await workspacesOfUsers(deps.db, [subject.id])).get(subject.id) ?? [];
    const passkeyCount = await countPasskeys(deps.db, subject.id);
    return { title: tr(req, "admin:pages.userTitle", { username: subject.username }), subject: presentUserDetails(subject, currentUserOf(req).user.id, workspaces), passkeyCount };
  }

  // The list as it was shown (its search and page), for no-JS round trips.
  function returnToList(req: Request): string {
    const target = safeReturnTo((req.body as Record<string, unknown> | undefined)?.return_to, LIST);
    return target.startsWith(LIST) ? target : LIST;
  }

  async function listPage(req: Request, source: Record<string, unknown>) {
    const query = parseInput(userListQuery, source);
    const [page, settings] = await Promise.all([admin.listUsers(deps, query), readInstanceSettings(deps.db)]);
    return {
      title: "admin:pages.usersTitle",
      query: { q: query.q ?? "" },
      users: page.rows.map((user) => presentUserRow(user, page.workspaces.get(user.id))),
      links: listLinks(query, page.next),
      returnTo: req.originalUrl.startsWith(LIST) && req.method === "GET" ? req.originalUrl : returnToList(req),
      registrationOpen: settings.registrationOpen,
      viewerId: currentUserOf(req).user.id,
      editing: null as null | { id: string; field: string },
    };
  }

  router.get("/admin", ...guard, (_req, res) => res.redirect(303, LIST));

  router.get(LIST, ...guard, async (req, res) => {
    const data = await listPage(req, req.query as Record<string, unknown>);
    renderPage(res, "admin/users", { ...data, values: {}, errors: {}, formError: null });
  });

  // Inline edits of one cell: htmx swaps the cell (saved value, or the error
  // in place with the row unchanged); without JavaScript the list comes
  // back, the same way.
  function inlineEdit(field: "username" | "email") {
    return async (req: Request, res: Response) => {
      const subject = await loadSubject(req);
      const listQuery = Object.fromEntries(new URL(returnToList(req), "http://x").searchParams);
      rememberForm(res, req, "admin/users", `admin/_${field}-cell`, async () => ({ ...(await listPage(req, listQuery)), editing: { id: subject.id, field } }));
      res.locals.form.fragmentData = async () => ({ row: presentUserRow(subject), returnTo: returnToList(req) });
      const updated =
        field === "username"
          ? await admin.changeUsername(deps, actorOf(req), subject.id, parseInput(usernameEdit, req.body), requestMeta(req))
          : await admin.changeEmail(deps, actorOf(req), subject.id, parseInput(emailEdit, req.body), requestMeta(req));
      if (isHtmx(req)) {
        return renderFragment(res, `admin/_${field}-cell`, { row: presentUserRow(updated), returnTo: returnToList(req), saved: true, values: {}, errors: {}, formError: null });
      }
      setFlash(req, "info", field === "username" ? "admin:flash.usernameChanged" : "admin:flash.emailChanged", { username: updated.username, email: updated.email });
      redirectTo(req, res, returnToList(req));
    };
  }
  router.post("/admin/users/:id/username", ...sensitive, inlineEdit("username"));
  router.post("/admin/users/:id/email", ...sensitive, inlineEdit("email"));

  router.post("/admin/users/:id/two-factor", ...sensitive, async (req, res) => {
    const subject = await loadSubject(req);
    const listQuery = Object.fromEntries(new URL(returnToList(req), "http://x").searchParams);
    rememberForm(res, req, "admin/users", "admin/_two-factor-cell", async () => ({ ...(await listPage(req, listQuery)), editing: { id: subject.id, field: "twoFactor" } }));
    res.locals.form.fragmentData = async () => ({ row: presentUserRow(subject), returnTo: returnToList(req) });
    const { enabled } = parseInput(twoFactorToggle, req.body);
    await admin.setTwoFactor(deps, actorOf(req), subject, enabled === "on", requestMeta(req));
    const updated = await admin.requireUserById(deps, subject.id);
    if (isHtmx(req)) return renderFragment(res, "admin/_two-factor-cell", { row: presentUserRow(updated), returnTo: returnToList(req), saved: true, values: {}, errors: {}, formError: null });
    setFlash(req, "info", "admin:flash.reset", { username: subject.username });
    redirectTo(req, res, returnToList(req));
  });

  router.post("/admin/settings/registration", ...sensitive, async (req, res) => {
    const { registrationOpen } = parseInput(registrationToggle, req.body);
    await admin.setRegistrationOpen(deps, actorOf(req), registrationOpen, requestMeta(req));
    setFlash(req, "info", registrationOpen ? "admin:flash.registrationOpen" : "admin:flash.registrationClosed");
    redirectTo(req, res, LIST);
  });

  router.get("/admin/users/new", ...guard, (_req, res) => {
    renderPage(res, "admin/new-user", { title: "admin:pages.newUserTitle", values: { mustChangePassword: "on" }, errors: {}, formError: null });
  });

  router.post(LIST, ...sensitive, async (req, res) => {
    rememberForm(res, req, "admin/new-user", "admin/_new-user-form", { title: "admin:pages.newUserTitle" });
    const input = parseInput(createUserSchema, req.body);
    const created = await admin.createUserAsAdmin(deps, actorOf(req), input, requestMeta(req));
    setFlash(req, "info", input.mustChangePassword ? "admin:flash.createdMustChange" : "admin:flash.created", { username: created.username });
    redirectTo(req, res, `/admin/users/${created.id}`);
  });

  router.get("/admin/users/:id", ...guard, async (req, res) => {
    const subject = await loadSubject(req);
    renderPage(res, "admin/user", { ...(await detailsPage(req, subject)), values: {}, errors: {}, formError: null });
  });

  // Ending sessions, removing a factor and deleting ask first (web/confirm.ts).
  const confirm = (title: string, message: string, confirmLabel: string) =>
    requireConfirmation((req) => ({ title, message, confirmLabel, cancelUrl: `/admin/users/${String(req.params.id ?? "")}` }));
  const confirmSetPassword = confirm(
    "admin:confirm.setPasswordTitle",
    "admin:setPassword.message",
    "admin:setPassword.label",
  );
  const confirmResetTwoFactor = confirm(
    "admin:confirm.resetTwoFactorTitle",
    "admin:user.resetMessage",
    "admin:user.reset2fa",
  );
  const accountConfirmations: Record<string, ReturnType<typeof confirm>> = {
    disable: confirm("admin:confirm.disableTitle", "admin:actions.disableMessage", "admin:actions.disable"),
    delete: confirm("admin:confirm.deleteTitle", "admin:actions.deleteMessage", "admin:actions.delete"),
  };

  router.post("/admin/users/:id/password", ...sensitive, confirmSetPassword, async (req, res) => {
    const subject = await loadSubject(req);
    rememberForm(res, req, "admin/user", "admin/_set-password-form", await detailsPage(req, subject));
    const input = parseInput(newPasswordSchema, req.body);
    const { signedOut } = await admin.setPasswordAsAdmin(deps, actorOf(req), subject, input, requestMeta(req));
    setFlash(req, "info", "admin:flash.passwordSet", { username: subject.username, count: signedOut });
    redirectTo(req, res, `/admin/users/${subject.id}`);
  });

  router.post("/admin/users/:id/two-factor/reset", ...sensitive, confirmResetTwoFactor, async (req, res) => {
    const subject = await loadSubject(req);
    await admin.resetTwoFactorAsAdmin(deps, actorOf(req), subject, requestMeta(req));
    setFlash(req, "info", "admin:flash.reset", { username: subject.username });
    redirectTo(req, res, `/admin/users/${subject.id}`);
  });

  // Account actions on the user's page; a refusal shows on that page.
  const actions = {
    disable: { run: admin.disableUser, done: "admin:flash.disabled" },
    enable: { run: admin.enableUser, done: "admin:flash.enabled" },
    delete: { run: admin.deleteUser, done: "admin:flash.deleted" },
    "admin/grant": { run: admin.grantInstanceAdmin, done: "admin:flash.granted" },
    "admin/revoke": { run: admin.revokeInstanceAdmin, done: "admin:flash.revoked" },
  } as const;
  for (const [path, action] of Object.entries(actions)) {
    const confirmation = accountConfirmations[path];
    router.post(`/admin/users/:id/${path}`, ...sensitive, ...(confirmation ? [confirmation] : []), async (req, res) => {
      const subject = await loadSubject(req);
      rememberForm(res, req, "admin/user", "admin/_account-actions", () => detailsPage(req, subject));
      await action.run(deps, actorOf(req), subject.id, requestMeta(req));
      setFlash(req, "info", action.done, { username: subject.username });
      redirectTo(req, res, path === "delete" ? LIST : `/admin/users/${subject.id}`);
    });
  }

  return router;
}
