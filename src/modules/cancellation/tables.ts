import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";

// One row per cancelled account: what the status page shows and where the
// purge resumes. The users row stays (status 'cancelled', personal data gone)
// so ids in kept records never point at nothing.
export const accountCancellations = pgTable("account_cancellations", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  cancelledAt: timestamp("cancelled_at", { withTimezone: true }).notNull(),
  // End of the 7th business day after cancellation (close-tickets' deadline).
  ticketsCloseBy: timestamp("tickets_close_by", { withTimezone: true }).notNull(),
  ticketsClosedAt: timestamp("tickets_closed_at", { withTimezone: true }),
  // The last purge step finished (resume point); null before the first.
  purgeStep: text("purge_step"),
  purgeCompletedAt: timestamp("purge_completed_at", { withTimezone: true }),
});

export type AccountCancellation = typeof accountCancellations.$inferSelect;
