import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";
import { workspaces } from "../workspaces/index.js";

export const invitationRoles = ["admin", "member"] as const;
export type InvitationRole = (typeof invitationRoles)[number];

// An invitation to a workspace by email. The link carries a 256-bit token;
// only its SHA-256 is stored. A resend replaces the hash (the old link dies)
// and restarts the 7 days; accepting or revoking ends it for good.
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: invitationRoles }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("invitations_token_hash_key").on(table.tokenHash),
    // One open invitation per address and workspace: a second invite is a resend.
    uniqueIndex("invitations_open_per_email")
      .on(table.workspaceId, sql`lower(${table.email})`)
      .where(sql`${table.acceptedAt} is null and ${table.revokedAt} is null`),
    index("invitations_workspace_idx").on(table.workspaceId, table.createdAt),
  ],
);

export type Invitation = typeof invitations.$inferSelect;
