import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import type { WorkspaceScope } from "../../web/workspace-scope.js";
import { ticketPolicy, type TicketViewer } from "./policy.js";
import * as repo from "./repo.js";

const ticketNotFound = () => new AppError(404, "TICKET_NOT_FOUND", { message: "codes:more.ticketMissing" });
const staffOnly = () => new AppError(403, "FORBIDDEN", { message: "codes:more.adminsOnly" });
const ticketClosed = () => new AppError(409, "TICKET_CLOSED", { message: "codes:more.ticketClosed", field: "body" });

export const viewerOf = (scope: WorkspaceScope): TicketViewer => ({ id: scope.membership.userId, role: scope.membership.role });

export async function listTickets(deps: Pick<Deps, "db">, scope: WorkspaceScope) {
  const viewer = viewerOf(scope);
  return repo.listTickets(deps.db, scope.workspace.id, ticketPolicy.seesAll(viewer) ? undefined : viewer.id);
}

// Someone else's ticket is a 404 for a member, like another workspace's.
export async function showTicket(deps: Pick<Deps, "db">, scope: WorkspaceScope, ticketId: string) {
  const row = await repo.findTicket(deps.db, scope.workspace.id, ticketId);
  if (!row || !ticketPolicy.canView(viewerOf(scope), row.ticket)) throw ticketNotFound();
  return { ...row, replies: await repo.listReplies(deps.db, ticketId) };
}

export async function openTicket(deps: Pick<Deps, "db" | "clock">, scope: WorkspaceScope, input: { subject: string; body: string }) {
  return repo.insertTicket(deps.db, { workspaceId: scope.workspace.id, authorId: scope.membership.userId, ...input, at: deps.clock.now() });
}

export async function replyToTicket(deps: Pick<Deps, "db" | "clock">, scope: WorkspaceScope, ticketId: string, input: { body: string }) {
  await deps.db.transaction(async (tx) => {
    const row = await repo.findTicket(tx, scope.workspace.id, ticketId, true);
    if (!row || !ticketPolicy.canView(viewerOf(scope), row.ticket)) throw ticketNotFound();
    if (!ticketPolicy.canReply(viewerOf(scope), { status: "open" })) throw staffOnly();
    if (!ticketPolicy.canReply(viewerOf(scope), row.ticket)) throw ticketClosed();
    await repo.insertReply(tx, { ticketId, authorId: scope.membership.userId, body: input.body, at: deps.clock.now() });
  });
}

export async function closeTicket(deps: Pick<Deps, "db" | "clock">, scope: WorkspaceScope, ticketId: string) {
  await deps.db.transaction(async (tx) => {
    const row = await repo.findTicket(tx, scope.workspace.id, ticketId, true);
    if (!row || !ticketPolicy.canView(viewerOf(scope), row.ticket)) throw ticketNotFound();
    if (!ticketPolicy.canClose(viewerOf(scope), { status: "open" })) throw staffOnly();
    // Closing a closed ticket (double submit) changes nothing.
    if (row.ticket.status === "open") await repo.closeTicketRow(tx, ticketId, deps.clock.now(), null);
  });
}
