import type { Request, Router } from "express";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { authFacts } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl, type WorkspaceScope } from "../../web/workspace-scope.js";
import { presentMembership } from "../workspaces/index.js";
import { memberPolicy } from "./policy.js";
import { memberListLinks, presentInvitation, presentMember } from "./presenter.js";
import { addMemberSchema, invitationParams, inviteSchema, memberListQuery, memberParams, roleChangeSchema, transferSchema } from "./schema.js";
import * as members from "./service.js";

// /w/:slug/members and the ownership transfer on /w/:slug/settings, on the
// workspace router (req.scope is this workspace; other workspaces' ids 404).
export function memberRoutes(deps: WebDeps, router: Router): void {
  // Removing, revoking, resetting a factor and transferring ask first (web/confirm.ts).
  const confirm = (title: string, message: string, confirmLabel: string, back = "/members") =>
    requireConfirmation((req) => ({ title, message, confirmLabel, cancelUrl: scopeUrl(scopeOf(req), back) }));
  const confirmRevoke = confirm("Revoke this invitation?", "The link in the invitation stops working at once.", "Revoke");
  const confirmRemove = confirm("Remove this member?", "They lose access to the workspace at once, and their sessions signed into it end.", "Remove");
  const confirmResetTwoFactor = confirm(
    "Reset this member's two-factor authentication?",
    "Their authenticator and backup codes stop working; they sign in with their password alone until they set it up again. They are emailed.",
    "Reset 2FA",
  );
  const confirmTransfer = confirm(
    "Transfer ownership of this workspace?",
    "The member you chose becomes the owner at once and you become an admin. Only the new owner can give ownership back.",
    "Transfer ownership",
    "/settings/ownership",
  );

  async function membersPage(req: Request, scope: WorkspaceScope, source: Record<string, unknown> = req.query as Record<string, unknown>) {
    const viewer = { id: scope.membership.userId, role: scope.membership.role };
    const query = parseInput(memberListQuery, source);
    const page = await members.listWorkspaceMembers(deps, scope, query);
    const canManage = memberPolicy.canManageMembers(scope.membership);
    return {
      title: "Members",
      workspace: presentMembership(scope.membership, authFacts(req).workspaceId),
      members: page.rows.map((member) => presentMember(member, viewer, { passkeys: page.passkeys.get(member.user.id), lastActive: page.lastActive.get(member.user.id) })),
      invitations: page.invitations.map(presentInvitation),
      query: { q: query.q ?? "", sort: query.sort, dir: query.dir },
      links: memberListLinks(scopeUrl(scope, "/members"), query, page.next),
      can: { manage: canManage, grantAdmin: scope.membership.role === "owner", addDirectly: canManage && currentUserOf(req).user.isInstanceAdmin },
    };
  }
  const withForms = (data: Record<string, unknown>) => ({ ...data, values: {}, errors: {}, formError: null });

  router.get("/members", async (req, res) => {
    renderPage(res, "workspaces/members", withForms(await membersPage(req, scopeOf(req))));
  });

  router.post("/members/invitations", async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "workspaces/members", "members/_invite-form", () => membersPage(req, scope, {}));
    const input = parseInput(inviteSchema, req.body);
    await members.inviteMember(deps, scope, currentUserOf(req).user, input, requestMeta(req));
    setFlash(req, "info", `Invitation sent to ${input.email}. The link works once, for 7 days.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/invitations/:invitationId/resend", async (req, res) => {
    const scope = scopeOf(req);
    const { invitationId } = parseInput(invitationParams, req.params);
    const invitation = await members.resendMemberInvitation(deps, scope, currentUserOf(req).user, invitationId, requestMeta(req));
    setFlash(req, "info", `A new link was sent to ${invitation.email}; the previous one no longer works.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/invitations/:invitationId/revoke", confirmRevoke, async (req, res) => {
    const scope = scopeOf(req);
    const { invitationId } = parseInput(invitationParams, req.params);
    const invitation = await members.revokeMemberInvitation(deps, scope, invitationId, requestMeta(req));
    setFlash(req, "info", `The invitation to ${invitation.email} was revoked.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/add", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "workspaces/members", "members/_add-form", () => membersPage(req, scope, {}));
    const input = parseInput(addMemberSchema, req.body);
    const added = await members.addExistingAccount(deps, scope, currentUserOf(req).user, input, requestMeta(req));
    setFlash(req, "info", `${added.username} was added as ${input.role === "admin" ? "an admin" : "a member"}.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/role", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    const { userId } = parseInput(memberParams, req.params);
    const input = parseInput(roleChangeSchema, req.body);
    const target = await members.changeMemberRole(deps, scope, userId, input, requestMeta(req));
    setFlash(req, "info", `${target.username} is now ${input.role === "admin" ? "an admin" : "a member"}.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/remove", requireFreshAuth(deps), confirmRemove, async (req, res) => {
    const scope = scopeOf(req);
    const { userId } = parseInput(memberParams, req.params);
    const { user, sessionsEnded } = await members.removeMember(deps, scope, userId, requestMeta(req));
    setFlash(req, "info", `${user.username} was removed from ${scope.workspace.name}${sessionsEnded ? `; ${sessionsEnded} of their sessions signed into it ended` : ""}.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/two-factor/reset", requireFreshAuth(deps), confirmResetTwoFactor, async (req, res) => {
    const { userId } = parseInput(memberParams, req.params);
    const scope = scopeOf(req);
    const target = await members.resetMemberTwoFactor(deps, scope, userId, requestMeta(req));
    setFlash(req, "info", `Two-factor authentication was reset for ${target.username}. They have been emailed.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  // Ownership transfer: the owner only; its own page, linked from settings.
  async function ownershipPage(req: Request, scope: WorkspaceScope) {
    if (scope.membership.role !== "owner") throw members.notOwner();
    const candidates = await members.transferCandidates(deps, scope);
    return {
      title: "Transfer ownership",
      workspace: presentMembership(scope.membership, authFacts(req).workspaceId),
      candidates: candidates.map((member) => ({ id: member.user.id, username: member.user.username, role: member.role })),
    };
  }

  router.get("/settings/ownership", async (req, res) => {
    renderPage(res, "members/ownership", withForms(await ownershipPage(req, scopeOf(req))));
  });

  router.post("/settings/ownership", requireFreshAuth(deps), confirmTransfer, async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "members/ownership", "members/_ownership-form", () => ownershipPage(req, scope));
    if (scope.membership.role !== "owner") throw members.notOwner();
    const input = parseInput(transferSchema, req.body);
    const newOwner = await members.transferOwnership(deps, scope, currentUserOf(req).user, input, requestMeta(req));
    setFlash(req, "info", `${newOwner.username} now owns ${scope.workspace.name}; you are an admin. Both of you were emailed.`);
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });
}
