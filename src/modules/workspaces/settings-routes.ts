import type { Request, Router } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireFreshAuth } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { authFacts } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl, type WorkspaceScope } from "../../web/workspace-scope.js";
import { listWorkspaceActivity, presentWorkspaceEvent } from "../audit/index.js";
import { assertAllowed, workspacePolicy } from "./policy.js";
import { presentMembership } from "./presenter.js";
import { sessionLimitsSchema } from "./schema.js";
import { changeSessionLimits, changeTwoFactorRequirement } from "./settings-service.js";

const twoFactorPolicyBody = z.object({ requireTwoFactor: z.literal("on").optional() });

// /w/:slug/settings, on the workspace router: owners and admins only.
export function workspaceSettingsRoutes(deps: WebDeps, router: Router): void {
  // The page's data, including its activity log: loaded to show the page, or
  // when a form on it failed, never for a successful save.
  async function settingsPage(req: Request, scope: WorkspaceScope) {
    const activity = await listWorkspaceActivity(deps.db, scope.workspace.id);
    return { workspace: presentMembership(scope.membership, authFacts(req).workspaceId), activity: activity.map((row) => presentWorkspaceEvent(row, deps.geo)) };
  }

  router.get("/settings", async (req, res) => {
    const scope = scopeOf(req);
    assertAllowed(workspacePolicy.canManageSettings(scope.membership.role));
    const values = { sessionIdleMinutes: String(scope.workspace.sessionIdleMinutes), sessionMaxDays: String(scope.workspace.sessionMaxDays) };
    renderPage(res, "workspaces/settings", { ...(await settingsPage(req, scope)), values, errors: {}, formError: null });
  });

  router.post("/settings/sessions", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "workspaces/settings", "workspaces/_session-limits-form", () => settingsPage(req, scope));
    const input = parseInput(sessionLimitsSchema, req.body);
    await changeSessionLimits(deps, currentUserOf(req).user.id, scope, input, requestMeta(req));
    setFlash(req, "info", "workspaces:flash.limitsSaved");
    redirectTo(req, res, scopeUrl(scope, "/settings"));
  });

  router.post("/settings/two-factor", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    const { requireTwoFactor } = parseInput(twoFactorPolicyBody, req.body);
    await changeTwoFactorRequirement(deps, currentUserOf(req).user.id, scope, requireTwoFactor === "on", requestMeta(req));
    setFlash(req, "info", requireTwoFactor ? "workspaces:flash.twoFactorRequired" : "workspaces:flash.twoFactorNotRequired");
    redirectTo(req, res, scopeUrl(scope, "/settings"));
  });
}
