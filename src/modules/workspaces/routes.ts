import { Router } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireUser } from "../../platform/auth/guards.js";
import { limitsOf, requestMeta, rotateSessionId } from "../../platform/auth/session-auth.js";
import { redirectTo, rememberForm, renderPage } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { presentMembership } from "./presenter.js";
import { createWorkspaceSchema, switchWorkspaceSchema } from "./schema.js";
import { createWorkspace, requireMembership } from "./service.js";
import type { Workspace } from "./tables.js";
import type { Request } from "express";

const slugParams = z.object({ slug: z.string().max(64) });
const newWorkspaceQuery = z.object({ first: z.string().optional() });

// Switching keeps signedInAt and lastSeenAt: the new workspace's limits are
// measured from the original sign-in, so switching never extends a session.
// The role may differ between workspaces, so this is a privilege change and
// the session id rotates.
async function makeActive(req: Request, deps: WebDeps, workspace: Workspace) {
  await rotateSessionId(req, deps, { workspaceId: workspace.id, limits: limitsOf(workspace) });
}

export function workspaceRoutes(deps: WebDeps): Router {
  const router = Router();

  router.get("/workspaces", requireUser, (req, res) => {
    const { memberships } = currentUserOf(req);
    renderPage(res, "workspaces/list", { workspaces: memberships.map((m) => presentMembership(m, req.session.workspaceId)) });
  });

  router.get("/workspaces/new", requireUser, (req, res) => {
    const query = parseInput(newWorkspaceQuery, req.query);
    renderPage(res, "workspaces/new", { values: {}, errors: {}, isFirst: Boolean(query.first) && currentUserOf(req).memberships.length === 0 });
  });

  router.post("/workspaces", requireUser, async (req, res) => {
    rememberForm(res, req, "workspaces/new", "workspaces/_form", { isFirst: false });
    const input = parseInput(createWorkspaceSchema, req.body);
    const workspace = await createWorkspace(deps.db, currentUserOf(req).user.id, input, requestMeta(req));
    await makeActive(req, deps, workspace);
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  router.post("/workspaces/switch", requireUser, async (req, res) => {
    const { slug } = parseInput(switchWorkspaceSchema, req.body);
    const { workspace } = requireMembership(currentUserOf(req).memberships, slug);
    await makeActive(req, deps, workspace);
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  router.get("/w/:slug", requireUser, async (req, res) => {
    const { slug } = parseInput(slugParams, req.params);
    const membership = requireMembership(currentUserOf(req).memberships, slug);
    renderPage(res, "workspaces/home", { workspace: presentMembership(membership, req.session.workspaceId) });
  });

  return router;
}
