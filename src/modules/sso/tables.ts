import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";
import { workspaces } from "../workspaces/index.js";

export const ssoDefaultRoles = ["member", "admin"] as const;
export type SsoDefaultRole = (typeof ssoDefaultRoles)[number];

// A workspace's single sign-on: one OpenID provider per workspace, found by
// discovery from `issuer`. The client secret is sealed (AES-256-GCM under
// SECRET_KEY, purpose-bound) and never shown back. "SSO required" itself is
// workspaces.require_sso, so the per-request workspace load carries it.
export const ssoConfigs = pgTable("sso_configs", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  clientSecretSealed: text("client_secret_sealed").notNull(),
  // Lower-case domains ("corp.example"); an email outside them is refused.
  allowedDomains: text("allowed_domains").array().notNull().default(sql`'{}'::text[]`),
  // Role of accounts provisioned just in time (never owner).
  defaultRole: text("default_role", { enum: ssoDefaultRoles }).notNull().default("member"),
  // Whether the provider's amr/acr may stand in for Latchkey's second factor.
  trustProviderMfa: boolean("trust_provider_mfa").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type SsoConfig = typeof ssoConfigs.$inferSelect;

// An account's identity at a workspace's provider, keyed by (workspace,
// issuer, subject): returning users are found by it, never by email. It
// outlives the configuration (re-adding the same issuer finds them again)
// and goes with the account.
export const ssoIdentities = pgTable(
  "sso_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // What the provider said at the last sign-in, for display only.
    email: text("email"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("sso_identities_subject_key").on(table.workspaceId, table.issuer, table.subject),
    // One identity per account and workspace.
    uniqueIndex("sso_identities_user_workspace_key").on(table.userId, table.workspaceId),
    index("sso_identities_user_idx").on(table.userId),
  ],
);

export type SsoIdentity = typeof ssoIdentities.$inferSelect;
