import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { SqlDb } from "../../platform/jobs/index.js";
import { users } from "../users/index.js";
import { ticketReplies, tickets, type Ticket } from "./tables.js";

// The author as shown: null when purged or cancelled (shown "Cancelled user").
const authorName = sql<string | null>`case when ${users.status} = 'cancelled' then null else ${users.username} end`;

export interface TicketRow {
  ticket: Ticket;
  authorName: string | null;
}

export async function listTickets(db: SqlDb, workspaceId: string, onlyAuthor?: string): Promise<TicketRow[]> {
  const where = onlyAuthor ? and(eq(tickets.workspaceId, workspaceId), eq(tickets.authorId, onlyAuthor)) : eq(tickets.workspaceId, workspaceId);
  return db
    .select({ ticket: tickets, authorName })
    .from(tickets)
    .leftJoin(users, eq(users.id, tickets.authorId))
    .where(where)
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(200);
}

export async function findTicket(db: SqlDb, workspaceId: string, ticketId: string, forUpdate = false): Promise<TicketRow | undefined> {
  const query = db
    .select({ ticket: tickets, authorName })
    .from(tickets)
    .leftJoin(users, eq(users.id, tickets.authorId))
    .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)));
  const [row] = forUpdate ? await query.for("update", { of: tickets }) : await query;
  return row;
}

export async function listReplies(db: SqlDb, ticketId: string) {
  return db
    .select({ reply: ticketReplies, authorName })
    .from(ticketReplies)
    .leftJoin(users, eq(users.id, ticketReplies.authorId))
    .where(eq(ticketReplies.ticketId, ticketId))
    .orderBy(asc(ticketReplies.createdAt), asc(ticketReplies.id));
}

export async function insertTicket(db: SqlDb, values: { workspaceId: string; authorId: string; subject: string; body: string; at: Date }): Promise<Ticket> {
  const [row] = await db
    .insert(tickets)
    .values({ workspaceId: values.workspaceId, authorId: values.authorId, subject: values.subject, body: values.body, createdAt: values.at, updatedAt: values.at })
    .returning();
  return row!;
}

export async function insertReply(db: SqlDb, values: { ticketId: string; authorId: string; body: string; at: Date }): Promise<void> {
  await db.insert(ticketReplies).values({ ticketId: values.ticketId, authorId: values.authorId, body: values.body, createdAt: values.at });
  await db.update(tickets).set({ updatedAt: values.at }).where(eq(tickets.id, values.ticketId));
}

export async function closeTicketRow(db: SqlDb, ticketId: string, at: Date, note: string | null): Promise<void> {
  await db.update(tickets).set({ status: "closed", closedAt: at, updatedAt: at, closedNote: note }).where(and(eq(tickets.id, ticketId), eq(tickets.status, "open")));
}

// For cancellation: how many open tickets an account has, and closing them.
export async function countOpenTicketsBy(db: SqlDb, authorId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(and(eq(tickets.authorId, authorId), eq(tickets.status, "open")));
  return row?.n ?? 0;
}

export async function closeOpenTicketsBy(db: SqlDb, authorId: string, at: Date, note: string): Promise<number> {
  const closed = await db
    .update(tickets)
    .set({ status: "closed", closedAt: at, updatedAt: at, closedNote: note })
    .where(and(eq(tickets.authorId, authorId), eq(tickets.status, "open")))
    .returning({ id: tickets.id });
  return closed.length;
}

// Purge: the workspace keeps tickets and replies, without their author. One
// batch at a time so a large account never holds a long lock.
export async function detachTicketAuthorBatch(db: SqlDb, authorId: string, batchSize: number): Promise<number> {
  const ticketIds = db.select({ id: tickets.id }).from(tickets).where(eq(tickets.authorId, authorId)).limit(batchSize);
  const detached = await db.update(tickets).set({ authorId: null }).where(inArray(tickets.id, ticketIds)).returning({ id: tickets.id });
  const replyIds = db.select({ id: ticketReplies.id }).from(ticketReplies).where(eq(ticketReplies.authorId, authorId)).limit(batchSize);
  const replies = await db.update(ticketReplies).set({ authorId: null }).where(inArray(ticketReplies.id, replyIds)).returning({ id: ticketReplies.id });
  return detached.length + replies.length;
}
