import { defineEvents } from "../audit/index.js";
import type { Invitation } from "./tables.js";

export const invitationEvents = defineEvents({
  sent: {
    type: "member.invited",
    label: "Invitation sent",
    event: (actorId: string, invitation: Invitation) => ({ actorId, workspaceId: invitation.workspaceId, details: { email: invitation.email, role: invitation.role } }),
  },
  resent: {
    type: "member.invitation_resent",
    label: "Invitation sent again",
    event: (actorId: string, invitation: Invitation) => ({ actorId, workspaceId: invitation.workspaceId, details: { email: invitation.email } }),
  },
  revoked: {
    type: "member.invitation_revoked",
    label: "Invitation revoked",
    event: (actorId: string, invitation: Invitation) => ({ actorId, workspaceId: invitation.workspaceId, details: { email: invitation.email } }),
  },
  accepted: {
    type: "member.joined",
    label: "Joined through an invitation",
    event: (userId: string, invitation: Invitation) => ({ actorId: userId, subjectId: userId, workspaceId: invitation.workspaceId, details: { role: invitation.role, invitedBy: invitation.invitedBy } }),
  },
});
