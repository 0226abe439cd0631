import type { WorkspaceRole } from "../workspaces/index.js";

export interface TicketViewer {
  id: string;
  role: WorkspaceRole;
}

const isStaff = (role: WorkspaceRole) => role === "owner" || role === "admin";

// Decisions only (test/tickets/policy.test.ts): members see and open their
// own tickets; the owner and admins see all, reply and close.
export const ticketPolicy = {
  seesAll: (viewer: TicketViewer): boolean => isStaff(viewer.role),
  canView: (viewer: TicketViewer, ticket: { authorId: string | null }): boolean => isStaff(viewer.role) || ticket.authorId === viewer.id,
  canReply: (viewer: TicketViewer, ticket: { status: string }): boolean => isStaff(viewer.role) && ticket.status === "open",
  canClose: (viewer: TicketViewer, ticket: { status: string }): boolean => isStaff(viewer.role) && ticket.status === "open",
};
