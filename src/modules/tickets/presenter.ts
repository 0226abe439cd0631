import type { TicketRow } from "./repo.js";

export const CANCELLED_USER = "Cancelled user";
// What the pages show (a locale key) for an author whose account was cancelled.
const CANCELLED_LABEL = "tickets:cancelledUser";

export function presentTicket(row: TicketRow, base: string) {
  const { ticket } = row;
  return {
    id: ticket.id,
    url: `${base}/${ticket.id}`,
    subject: ticket.subject,
    body: ticket.body,
    status: ticket.status,
    author: row.authorName ?? CANCELLED_LABEL,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    closedAt: ticket.closedAt ?? null,
    closedNote: ticket.closedNote,
  };
}

export function presentReply(row: { reply: { id: string; body: string; createdAt: Date }; authorName: string | null }) {
  return { id: row.reply.id, body: row.reply.body, author: row.authorName ?? CANCELLED_LABEL, createdAt: row.reply.createdAt };
}
