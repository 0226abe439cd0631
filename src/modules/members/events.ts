import { translatorFor } from "../../platform/i18n.js";
import { defineEvents, securityNotice, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";
import type { Workspace, WorkspaceRole } from "../workspaces/index.js";

// Both sides are told, with when and from where the transfer was made.
const ownershipNotice = (to: User, workspace: Workspace, body: string, vars: Record<string, unknown>, baseUrl: string): Notice =>
  securityNotice(to, { subject: "members:mail.ownershipSubject", body, vars: { workspace: workspace.name, ...vars }, baseUrl });

function removedNotice(user: User, workspace: Workspace): Notice {
  const t = translatorFor(user.language);
  const vars = { username: user.username, workspace: workspace.name };
  return { to: user.email, subject: t("members:mail.removedSubject", vars), text: t("members:mail.removedBody", vars) };
}

export const memberEvents = defineEvents({
  added: {
    type: "member.added",
    label: "Member added",
    event: (actorId: string, workspace: Workspace, subject: User, role: WorkspaceRole) => ({ actorId, subjectId: subject.id, workspaceId: workspace.id, details: { role } }),
  },
  roleChanged: {
    type: "member.role_changed",
    label: "Member role changed",
    event: (actorId: string, workspace: Workspace, subject: User, before: WorkspaceRole, after: WorkspaceRole) => ({ actorId, subjectId: subject.id, workspaceId: workspace.id, details: { before, after } }),
  },
  removed: {
    type: "member.removed",
    label: "Member removed",
    warning: true,
    event: (actorId: string, workspace: Workspace, subject: User, role: WorkspaceRole, sessionsEnded: number) => ({
      actorId,
      subjectId: subject.id,
      workspaceId: workspace.id,
      details: { role, sessionsEnded },
      notices: [removedNotice(subject, workspace)],
    }),
  },
  ownershipTransferred: {
    type: "workspace.ownership_transferred",
    label: "Ownership transferred",
    warning: true,
    event: (workspace: Workspace, from: User, to: User, baseUrl: string) => ({
      actorId: from.id,
      subjectId: to.id,
      workspaceId: workspace.id,
      details: { from: from.id, to: to.id },
      notices: [
        ownershipNotice(from, workspace, "members:mail.ownershipFromBody", { to: to.username }, baseUrl),
        ownershipNotice(to, workspace, "members:mail.ownershipToBody", { from: from.username }, baseUrl),
      ],
    }),
  },
});
