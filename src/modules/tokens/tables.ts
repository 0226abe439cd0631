import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";

// Personal access tokens for the management API. Only the SHA-256 of the
// secret is stored; the secret itself exists in one response only.
// A deleted token keeps its row (deleted_at) so a later use of its secret is
// recognised as "deleted" and recorded against its owner, never accepted.
export const accessTokens = pgTable(
  "access_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // Hex SHA-256 of the whole secret ("lk_…").
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    // Normalised addresses and CIDR ranges; empty = any address.
    ipAllowList: text("ip_allow_list").array().notNull().default(sql`'{}'::text[]`),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    // Who made it: the owner, or an instance administrator.
    createdById: uuid("created_by_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    rolledAt: timestamp("rolled_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    lastUsedIp: text("last_used_ip"),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (table) => [uniqueIndex("access_tokens_secret_hash_key").on(table.secretHash), index("access_tokens_user_idx").on(table.userId, table.createdAt)],
);

export type AccessToken = typeof accessTokens.$inferSelect;
