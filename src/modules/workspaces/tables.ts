import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { SESSION_IDLE_MINUTES, SESSION_MAX_DAYS } from "../../web/session/limits.js";
import { users } from "../users/index.js";

export const workspaceRoles = ["owner", "admin", "member"] as const;
export type WorkspaceRole = (typeof workspaceRoles)[number];

export const workspaces = pgTable(
  "workspaces",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    sessionIdleMinutes: integer("session_idle_minutes").notNull().default(SESSION_IDLE_MINUTES.default),
    sessionMaxDays: integer("session_max_days").notNull().default(SESSION_MAX_DAYS.default),
    // Members signing into this workspace without 2FA must enrol first.
    requireTwoFactor: boolean("require_two_factor").notNull().default(false),
    // Members must sign in through the workspace's single sign-on to use it
    // (modules/sso, which also writes it; the owner keeps a way in).
    requireSso: boolean("require_sso").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("workspaces_slug_key").on(table.slug),
    check("workspaces_session_idle_range", sql`${table.sessionIdleMinutes} between 30 and 10080`),
    check("workspaces_session_max_range", sql`${table.sessionMaxDays} between 1 and 30`),
  ],
);

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: workspaceRoles }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.userId] }),
    index("memberships_user_idx").on(table.userId),
    // At most one owner per workspace, enforced by the database; the service
    // creates the owner in the same transaction as the workspace, so there is
    // never none either.
    uniqueIndex("memberships_one_owner_per_workspace")
      .on(table.workspaceId)
      .where(sql`${table.role} = 'owner'`),
  ],
);

export type Workspace = typeof workspaces.$inferSelect;
