import { users } from "../users/index.js";
import { bigserial, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

// No foreign keys on purpose: audit rows outlive the users and workspaces
// they mention (a purged account's history stays, pointing at an id).
// The device and preference tables below are not history: they go with the account.
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    action: text("action").notNull(),
    actorId: uuid("actor_id"),
    subjectId: uuid("subject_id"),
    workspaceId: uuid("workspace_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("audit_events_subject_idx").on(table.subjectId, table.createdAt),
    index("audit_events_workspace_idx").on(table.workspaceId, table.createdAt),
    // The activity pages and the API page by id (keyset, newest first) within
    // one account or one workspace.
    index("audit_events_subject_id_idx").on(table.subjectId, table.id),
    index("audit_events_workspace_id_idx").on(table.workspaceId, table.id),
    // A workspace page filtered by event type: without it a rare type scans
    // the workspace's whole history backwards (bench/audit.ts).
    index("audit_events_workspace_action_id_idx").on(table.workspaceId, table.action, table.id),
    // The person filter (actor or subject): a BitmapOr of this and the
    // subject index, instead of scanning every row for the actor.
    index("audit_events_actor_id_idx").on(table.actorId, table.id),
    // Time ranges across everyone: the instance chart and the retention job.
    index("audit_events_created_at_idx").on(table.createdAt),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;

// Devices an account signed in from: a hash of the long-lived device cookie
// and the user-agent family, never the cookie itself. A sign-in from a pair
// not seen for 90 days is a new device.
export const knownDevices = pgTable(
  "known_devices",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    deviceHash: text("device_hash").notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.deviceHash] })],
);

// Per-user choice to mute the optional notices (new device, token created);
// the critical ones are always sent.
export const noticePreferences = pgTable("notice_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  muteOptional: boolean("mute_optional").notNull().default(false),
});
