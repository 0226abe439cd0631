import { formatUtc } from "../../platform/format.js";
import type { TicketRow } from "./repo.js";

export const CANCELLED_USER = "Cancelled user";

export function presentTicket(row: TicketRow, base: string) {
  const { ticket } = row;
  return {
    id: ticket.id,
    url: `${base}/${ticket.id}`,
    subject: ticket.subject,
    body: ticket.body,
    status: ticket.status,
    author: row.authorName ?? CANCELLED_USER,
    createdAt: formatUtc(ticket.createdAt),
    updatedAt: formatUtc(ticket.updatedAt),
    closedAt: ticket.closedAt ? formatUtc(ticket.closedAt) : null,
    closedNote: ticket.closedNote,
  };
}

export function presentReply(row: { reply: { id: string; body: string; createdAt: Date }; authorName: string | null }) {
  return { id: row.reply.id, body: row.reply.body, author: row.authorName ?? CANCELLED_USER, createdAt: formatUtc(row.reply.createdAt) };
}
