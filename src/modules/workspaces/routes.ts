import { Router, type Router as ExpressRouter } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage } from "../../web/render.js";
import { authFacts, switchWorkspace } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf } from "../../web/workspace-scope.js";
import { presentMembership } from "./presenter.js";
import { createWorkspaceSchema, switchWorkspaceSchema } from "./schema.js";
import { createWorkspace, membershipBySlug } from "./service.js";

const newWorkspaceQuery = z.object({ first: z.string().optional() });

// Workspaces outside any one workspace: the list, creating one, switching.
export function workspaceRoutes(deps: WebDeps): Router {
  const router = Router();

  router.get("/workspaces", requireUser, (req, res) => {
    const { memberships } = currentUserOf(req);
    renderPage(res, "workspaces/list", { workspaces: memberships.map((m) => presentMembership(m, authFacts(req).workspaceId)) });
  });

  router.get("/workspaces/new", requireUser, (req, res) => {
    const query = parseInput(newWorkspaceQuery, req.query);
    renderPage(res, "workspaces/new", { values: {}, errors: {}, isFirst: Boolean(query.first) && currentUserOf(req).memberships.length === 0 });
  });

  router.post("/workspaces", requireUser, async (req, res) => {
    rememberForm(res, req, "workspaces/new", "workspaces/_form", { isFirst: false });
    const input = parseInput(createWorkspaceSchema, req.body);
    const workspace = await createWorkspace(deps.db, currentUserOf(req).user.id, input, requestMeta(req));
    await switchWorkspace(req, deps, workspace);
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  router.post("/workspaces/switch", requireUser, async (req, res) => {
    const { slug } = parseInput(switchWorkspaceSchema, req.body);
    const { workspace } = membershipBySlug(currentUserOf(req).memberships, slug);
    await switchWorkspace(req, deps, workspace);
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  return router;
}

// The workspace's home, on the workspace router (/w/:slug).
export function workspaceHomeRoutes(router: ExpressRouter): void {
  router.get("/", (req, res) => {
    const { membership, workspace } = scopeOf(req);
    renderPage(res, "workspaces/home", { workspace: presentMembership(membership, authFacts(req).workspaceId) });
  });
}
