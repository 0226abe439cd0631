import type { Router } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireFreshAuth } from "../../web/guards.js";
import { redirectTo, renderPage, setFlash } from "../../web/render.js";
import { authFacts } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl } from "../../web/workspace-scope.js";
import { presentMembership } from "../workspaces/index.js";
import { presentMember } from "./presenter.js";
import { listWorkspaceMembers, resetMemberTwoFactor } from "./service.js";

const memberParams = z.object({ userId: z.uuid() });

// /w/:slug/members, on the workspace router. Minimal for now: who is here,
// their role and 2FA; invitations, roles and ownership come with the members issue.
export function memberRoutes(deps: WebDeps, router: Router): void {
  router.get("/members", async (req, res) => {
    const scope = scopeOf(req);
    const viewer = { id: scope.membership.userId, role: scope.membership.role };
    const members = await listWorkspaceMembers(deps, scope);
    renderPage(res, "workspaces/members", {
      title: "Members",
      workspace: presentMembership(scope.membership, authFacts(req).workspaceId),
      members: members.map((member) => presentMember(member, viewer)),
    });
  });

  router.post("/members/:userId/two-factor/reset", requireFreshAuth(deps), async (req, res) => {
    const { userId } = parseInput(memberParams, req.params);
    const scope = scopeOf(req);
    const target = await resetMemberTwoFactor(deps, scope, userId, requestMeta(req));
    setFlash(req, "info", `Two-factor authentication was reset for ${target.username}. They have been emailed.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });
}
