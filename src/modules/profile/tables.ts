import { customType, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => Buffer.from(value),
});

// Avatars are re-encoded 256 px WebP images (metadata stripped), kept in
// PostgreSQL so a backup of the database is a backup of everything.
export const avatars = pgTable("avatars", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  image: bytea("image").notNull(),
  etag: text("etag").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Avatar = typeof avatars.$inferSelect;
