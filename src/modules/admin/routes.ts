import { Router, type Request } from "express";
import { notFound } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireFreshAuth, requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { newPasswordSchema } from "../password/index.js";
import { presentUserDetails, presentUserRow } from "./presenter.js";
import { listUsers, USER_LIST_LIMIT } from "./repo.js";
import { userIdParams } from "./schema.js";
import { requireUserById, resetTwoFactorAsAdmin, setPasswordAsAdmin } from "./service.js";

export function adminRoutes(deps: WebDeps): Router {
  const router = Router();
  const admin = [requireUser, requireInstanceAdmin];

  // A malformed id is as unknown as a missing one: 404 either way.
  async function loadSubject(req: Request) {
    const parsed = userIdParams.safeParse(req.params);
    if (!parsed.success) throw notFound();
    const subject = await requireUserById(deps, parsed.data.id);
    const data = { title: `${subject.username} · Users`, subject: presentUserDetails(subject, currentUserOf(req).user.id) };
    return { subject, data };
  }

  router.get("/admin", ...admin, (_req, res) => res.redirect(303, "/admin/users"));

  router.get("/admin/users", ...admin, async (_req, res) => {
    const users = await listUsers(deps.db);
    renderPage(res, "admin/users", { title: "Users", users: users.map(presentUserRow), capped: users.length >= USER_LIST_LIMIT });
  });

  router.get("/admin/users/:id", ...admin, async (req, res) => {
    const { data } = await loadSubject(req);
    renderPage(res, "admin/user", { ...data, values: {}, errors: {}, formError: null });
  });

  router.post("/admin/users/:id/password", ...admin, requireFreshAuth(deps), async (req, res) => {
    const { subject, data } = await loadSubject(req);
    rememberForm(res, req, "admin/user", "admin/_set-password-form", data);
    const input = parseInput(newPasswordSchema, req.body);
    const { signedOut } = await setPasswordAsAdmin(deps, currentUserOf(req).user, subject, input, requestMeta(req));
    const sessions = signedOut === 1 ? "its 1 session was" : `its ${signedOut} sessions were`;
    setFlash(req, "info", `New password set for ${subject.username}; ${sessions} signed out and the owner was emailed.`);
    redirectTo(req, res, `/admin/users/${subject.id}`);
  });

  router.post("/admin/users/:id/two-factor/reset", ...admin, requireFreshAuth(deps), async (req, res) => {
    const { subject } = await loadSubject(req);
    await resetTwoFactorAsAdmin(deps, currentUserOf(req).user, subject, requestMeta(req));
    setFlash(req, "info", `Two-factor authentication was reset for ${subject.username}. They have been emailed.`);
    redirectTo(req, res, `/admin/users/${subject.id}`);
  });

  return router;
}
