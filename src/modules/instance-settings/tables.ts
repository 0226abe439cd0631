import { sql } from "drizzle-orm";
import { boolean, check, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";

// Instance-wide switches set by instance administrators: one row at most
// (the key is always true). No row means the defaults.
export const instanceSettings = pgTable(
  "instance_settings",
  {
    singleton: boolean("singleton").primaryKey().default(true),
    registrationOpen: boolean("registration_open").notNull().default(true),
    updatedBy: uuid("updated_by"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check("instance_settings_singleton", sql`${table.singleton}`)],
);
