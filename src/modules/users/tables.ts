import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const userStatuses = ["active", "locked", "cancelled"] as const;
export type UserStatus = (typeof userStatuses)[number];

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    // Null for SSO accounts: they have no password here.
    passwordHash: text("password_hash"),
    isInstanceAdmin: boolean("is_instance_admin").notNull().default(false),
    status: text("status", { enum: userStatuses }).notNull().default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Case-insensitive uniqueness lives in the database, not only in the service.
    uniqueIndex("users_username_lower_key").on(sql`lower(${table.username})`),
    // A cancelled account frees its email for a brand-new registration.
    uniqueIndex("users_email_lower_active_key")
      .on(sql`lower(${table.email})`)
      .where(sql`${table.status} <> 'cancelled'`),
    index("users_created_at_idx").on(table.createdAt),
  ],
);

export type User = typeof users.$inferSelect;
