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
  const confirmRevoke = confirm("members:confirm.revokeTitle", "members:list.revokeMessage", "members:list.revoke");
  const confirmRemove = confirm("members:confirm.removeTitle", "members:list.removeMessage", "members:list.remove");
  const confirmResetTwoFactor = confirm(
    "members:confirm.resetTitle",
    "members:list.resetMessage",
    "members:list.reset2fa",
  );
  const confirmTransfer = confirm(
    "members:confirm.transferTitle",
    "members:ownership.message",
    "members:ownership.submit",
    "/settings/ownership",
  );

  async function membersPage(req: Request, scope: WorkspaceScope, source: Record<string, unknown> = req.query as Record<string, unknown>) {
    const viewer = { id: scope.membership.userId, role: scope.membership.role };
    const query = parseInput(memberListQuery, source);
    const page = await members.listWorkspaceMembers(deps, scope, query);
    const canManage = memberPolicy.canManageMembers(scope.membership);
    return {
      title: "members:pages.title",
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
    setFlash(req, "info", "members:flash.invited", { email: input.email });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/invitations/:invitationId/resend", async (req, res) => {
    const scope = scopeOf(req);
    const { invitationId } = parseInput(invitationParams, req.params);
    const invitation = await members.resendMemberInvitation(deps, scope, currentUserOf(req).user, invitationId, requestMeta(req));
    setFlash(req, "info", "members:flash.resent", { email: invitation.email });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/invitations/:invitationId/revoke", confirmRevoke, async (req, res) => {
    const scope = scopeOf(req);
    const { invitationId } = parseInput(invitationParams, req.params);
    const invitation = await members.revokeMemberInvitation(deps, scope, invitationId, requestMeta(req));
    setFlash(req, "info", "members:flash.revoked", { email: invitation.email });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/add", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "workspaces/members", "members/_add-form", () => membersPage(req, scope, {}));
    const input = parseInput(addMemberSchema, req.body);
    const added = await members.addExistingAccount(deps, scope, currentUserOf(req).user, input, requestMeta(req));
    setFlash(req, "info", input.role === "admin" ? "members:flash.addedAdmin" : "members:flash.addedMember", { username: added.username });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/role", requireFreshAuth(deps), async (req, res) => {
    const scope = scopeOf(req);
    const { userId } = parseInput(memberParams, req.params);
    const input = parseInput(roleChangeSchema, req.body);
    const target = await members.changeMemberRole(deps, scope, userId, input, requestMeta(req));
    setFlash(req, "info", input.role === "admin" ? "members:flash.nowAdmin" : "members:flash.nowMember", { username: target.username });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/remove", requireFreshAuth(deps), confirmRemove, async (req, res) => {
    const scope = scopeOf(req);
    const { userId } = parseInput(memberParams, req.params);
    const { user, sessionsEnded } = await members.removeMember(deps, scope, userId, requestMeta(req));
    setFlash(req, "info", sessionsEnded ? "members:flash.removedSessions" : "members:flash.removed", { username: user.username, workspace: scope.workspace.name, count: sessionsEnded });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  router.post("/members/:userId/two-factor/reset", requireFreshAuth(deps), confirmResetTwoFactor, async (req, res) => {
    const { userId } = parseInput(memberParams, req.params);
    const scope = scopeOf(req);
    const target = await members.resetMemberTwoFactor(deps, scope, userId, requestMeta(req));
    setFlash(req, "info", "members:flash.reset", { username: target.username });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });

  // Ownership transfer: the owner only; its own page, linked from settings.
  async function ownershipPage(req: Request, scope: WorkspaceScope) {
    if (scope.membership.role !== "owner") throw members.notOwner();
    const candidates = await members.transferCandidates(deps, scope);
    return {
      title: "members:pages.transferTitle",
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
    setFlash(req, "info", "members:flash.transferred", { username: newOwner.username, workspace: scope.workspace.name });
    redirectTo(req, res, scopeUrl(scope, "/members"));
  });
}
