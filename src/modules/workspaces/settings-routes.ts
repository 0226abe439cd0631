import { Router, type Request } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../platform/auth/guards.js";
import { requestMeta } from "../../platform/auth/session-auth.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { listWorkspaceActivity } from "../audit/repo.js";
import { presentWorkspaceEvent } from "../audit/presenter.js";
import { assertCan, workspacePolicy } from "./policy.js";
import { presentMembership } from "./presenter.js";
import { sessionLimitsSchema } from "./schema.js";
import { changeSessionLimits, changeTwoFactorRequirement } from "./settings-service.js";
import { requireMembership } from "./service.js";
import type { WorkspaceMembership } from "./repo.js";

const slugParams = z.object({ slug: z.string().max(64) });
const twoFactorPolicyBody = z.object({ requireTwoFactor: z.literal("on").optional() });

export function workspaceSettingsRoutes(deps: WebDeps): Router {
  const router = Router();

  function manageableMembership(req: Request) {
    const { slug } = parseInput(slugParams, req.params);
    const membership = requireMembership(currentUserOf(req).memberships, slug);
    assertCan(workspacePolicy.canManageSettings(membership.role));
    return membership;
  }

  // The page's data, including its activity log: loaded to show the page, or
  // when a form on it failed, never for a successful save.
  async function settingsPage(req: Request, membership: WorkspaceMembership) {
    const activity = await listWorkspaceActivity(deps.db, membership.workspace.id);
    return { workspace: presentMembership(membership, req.session.workspaceId), activity: activity.map(presentWorkspaceEvent) };
  }

  router.get("/w/:slug/settings", requireUser, async (req, res) => {
    const membership = manageableMembership(req);
    const values = { sessionIdleMinutes: String(membership.workspace.sessionIdleMinutes), sessionMaxDays: String(membership.workspace.sessionMaxDays) };
    renderPage(res, "workspaces/settings", { ...(await settingsPage(req, membership)), values, errors: {}, formError: null });
  });

  router.post("/w/:slug/settings/sessions", requireUser, requireFreshAuth(deps), async (req, res) => {
    const membership = manageableMembership(req);
    rememberForm(res, req, "workspaces/settings", "workspaces/_session-limits-form", () => settingsPage(req, membership));
    const input = parseInput(sessionLimitsSchema, req.body);
    await changeSessionLimits(deps, currentUserOf(req).user.id, membership, input, requestMeta(req));
    setFlash(req, "info", "Session limits saved. They apply to every session of this workspace from its next request.");
    redirectTo(req, res, `/w/${membership.workspace.slug}/settings`);
  });

  router.post("/w/:slug/settings/two-factor", requireUser, requireFreshAuth(deps), async (req, res) => {
    const membership = manageableMembership(req);
    const { requireTwoFactor } = parseInput(twoFactorPolicyBody, req.body);
    await changeTwoFactorRequirement(deps, currentUserOf(req).user.id, membership, requireTwoFactor === "on", requestMeta(req));
    setFlash(req, "info", requireTwoFactor ? "Members now need two-factor authentication to use this workspace." : "Two-factor authentication is no longer required.");
    redirectTo(req, res, `/w/${membership.workspace.slug}/settings`);
  });

  return router;
}
