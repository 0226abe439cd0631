import { defineEvents, notYouLine, whenAndWhere, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";
import type { Workspace, WorkspaceRole } from "../workspaces/index.js";

// Both sides are told, with when and from where the transfer was made.
function ownershipNotice(to: User, workspace: Workspace, text: string, baseUrl: string): Notice {
  return {
    to: to.email,
    subject: `Ownership of ${workspace.name} was transferred`,
    text: (context) => `Hi ${to.username},\n\n${text}\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)}\n`,
  };
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
      notices: [{ to: subject.email, subject: `You were removed from ${workspace.name}`, text: `Hi ${subject.username},\n\nyou are no longer a member of the workspace ${workspace.name} on Latchkey; your sessions signed into it were ended.\n` }],
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
        ownershipNotice(from, workspace, `you transferred the ownership of ${workspace.name} to ${to.username}. You are now an admin of the workspace.`, baseUrl),
        ownershipNotice(to, workspace, `${from.username} transferred the ownership of ${workspace.name} to you. You are now its owner.`, baseUrl),
      ],
    }),
  },
});
