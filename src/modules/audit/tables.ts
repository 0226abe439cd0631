import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// No foreign keys on purpose: audit rows outlive the users and workspaces
// they mention (a purged account's history stays, pointing at an id).
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
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
