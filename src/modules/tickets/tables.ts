import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";
import { workspaces } from "../workspaces/index.js";

export const ticketStatuses = ["open", "closed"] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

// A member's request to the workspace's owner and admins. The author is
// nulled when their account is purged: the workspace keeps the ticket, shown
// as from "Cancelled user".
export const tickets = pgTable(
  "tickets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: ticketStatuses }).notNull().default("open"),
    // Why it was closed when nobody typed a reply (e.g. the author's account was cancelled).
    closedNote: text("closed_note"),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("tickets_workspace_created_idx").on(table.workspaceId, table.createdAt), index("tickets_author_status_idx").on(table.authorId, table.status)],
);

export const ticketReplies = pgTable(
  "ticket_replies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ticketId: uuid("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("ticket_replies_ticket_idx").on(table.ticketId, table.createdAt), index("ticket_replies_author_idx").on(table.authorId)],
);

export type Ticket = typeof tickets.$inferSelect;
export type TicketReply = typeof ticketReplies.$inferSelect;
