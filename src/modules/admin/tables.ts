import { pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";

// "Must change the password at next sign-in", set when an administrator
// creates an account with a password they chose. It is met once the
// account's password_changed_at is later than required_since, so the
// password module needs no hook to clear it.
export const passwordChangeRequired = pgTable("password_change_required", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  requiredSince: timestamp("required_since", { withTimezone: true }).notNull(),
});
