import { Router, type Request } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../platform/auth/guards.js";
import { requestMeta } from "../../platform/auth/session-auth.js";
import { AppError, notFound } from "../../platform/errors.js";
import { redirectTo, renderPage, setFlash } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { isTwoFactorEnabled, resetTwoFactor } from "../two-factor/service.js";
import { workspacePolicy } from "./policy.js";
import { presentMembership } from "./presenter.js";
import { findMember, listMembers } from "./repo.js";
import { requireMembership } from "./service.js";

const slugParams = z.object({ slug: z.string().max(64) });
const memberParams = slugParams.extend({ userId: z.uuid() });

// Minimal member list: who is here, their role and 2FA; full member
// management (invite, roles, remove, ownership) is its own feature.
export function membersRoutes(deps: WebDeps): Router {
  const router = Router();

  async function actorMembership(req: Request) {
    const { slug } = parseInput(slugParams, req.params);
    return requireMembership(currentUserOf(req).memberships, slug);
  }

  router.get("/w/:slug/members", requireUser, async (req, res) => {
    const membership = await actorMembership(req);
    const actor = { id: currentUserOf(req).user.id, role: membership.role };
    const members = await listMembers(deps.db, membership.workspace.id);
    renderPage(res, "workspaces/members", {
      title: "Members",
      workspace: presentMembership(membership, req.session.workspaceId),
      members: members.map((member) => ({
        id: member.user.id,
        username: member.user.username,
        email: member.user.email,
        role: member.role,
        twoFactor: isTwoFactorEnabled(member.user),
        canResetTwoFactor: isTwoFactorEnabled(member.user) && workspacePolicy.canResetTwoFactor(actor, { id: member.user.id, role: member.role }),
      })),
    });
  });

  router.post("/w/:slug/members/:userId/two-factor/reset", requireUser, requireFreshAuth(deps), async (req, res) => {
    const { userId } = parseInput(memberParams, req.params);
    const membership = await actorMembership(req);
    const actor = currentUserOf(req).user;
    // A user outside this workspace answers 404, like an unknown id.
    const target = await findMember(deps.db, membership.workspace.id, userId);
    if (!target) throw notFound();
    if (!workspacePolicy.canResetTwoFactor({ id: actor.id, role: membership.role }, { id: target.user.id, role: target.role })) {
      throw new AppError(403, "FORBIDDEN", { message: "You cannot reset this member's two-factor authentication." });
    }
    await resetTwoFactor(deps, actor.id, target.user, membership.workspace.id, requestMeta(req));
    setFlash(req, "info", `Two-factor authentication was reset for ${target.user.username}. They have been emailed.`);
    redirectTo(req, res, `/w/${membership.workspace.slug}/members`);
  });

  return router;
}
