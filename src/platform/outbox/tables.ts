import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// Jobs waiting to reach the queue, written in the same transaction as the
// change that decides them (transactional outbox). A row lives until the relay
// has added it to BullMQ. The payload is sealed (it may hold a one-time code or
// a reset link). The id becomes the BullMQ job id: random, so a restored or
// recreated database can never reuse an id Redis already remembers as done.
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    queue: text("queue").notNull(),
    jobName: text("job_name").notNull(),
    sealedPayload: text("sealed_payload").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // Set when a row can never be relayed (unreadable payload): the row stays
    // for an operator and no longer holds up the others.
    lastError: text("last_error"),
  },
  (table) => [index("outbox_created_at_idx").on(table.createdAt)],
);

export type OutboxRow = typeof outbox.$inferSelect;
