// Workspace invitations by email: single-use hashed links valid 7 days,
// resend and revoke (called by modules/members), and the link's own pages.
export { invitations, invitationRoles, type Invitation, type InvitationRole } from "./tables.js";
export { createInvitation, listOpenInvitations, resendInvitation, revokeInvitation } from "./service.js";
export { invitationRoutes } from "./routes.js";
