// Tickets: members ask the workspace's owner and admins; cancellation closes
// and anonymises them.
export { ticketRoutes } from "./routes.js";
export { tickets, ticketReplies, type Ticket } from "./tables.js";
export { CANCELLED_USER } from "./presenter.js";
export { closeOpenTicketsBy, countOpenTicketsBy, detachTicketAuthorBatch } from "./repo.js";
