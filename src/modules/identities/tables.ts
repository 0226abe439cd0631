import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";

export const providerKinds = ["github", "discord", "oidc"] as const;
export type ProviderKind = (typeof providerKinds)[number];

// An instance-wide sign-in provider an administrator configured
// (/admin/providers). GitHub and Discord are plain OAuth 2 with their own
// user APIs; "oidc" is any OpenID provider found by discovery from `issuer`.
// The client secret is sealed (AES-256-GCM under SECRET_KEY, purpose-bound)
// and never shown back.
export const identityProviders = pgTable(
  "identity_providers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: providerKinds }).notNull(),
    // In URLs (/auth/providers/<slug>/callback): "github", "discord", or the
    // administrator's choice for an OIDC provider.
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    issuer: text("issuer"),
    clientId: text("client_id").notNull(),
    clientSecretSealed: text("client_secret_sealed").notNull(),
    signInEnabled: boolean("sign_in_enabled").notNull().default(false),
    linkingEnabled: boolean("linking_enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("identity_providers_slug_key").on(table.slug),
    // GitHub and Discord exist once each; OIDC providers as often as needed.
    uniqueIndex("identity_providers_single_kind_key")
      .on(table.kind)
      .where(sql`${table.kind} <> 'oidc'`),
  ],
);

export type IdentityProvider = typeof identityProviders.$inferSelect;

// An account's identity at a provider, keyed by (provider, subject): the
// provider's stable id for the person, never the email. One identity belongs
// to one account, and an account binds at most one identity per provider.
export const linkedIdentities = pgTable(
  "linked_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => identityProviders.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    // What the provider said at the last bind or sign-in, for display only.
    login: text("login"),
    email: text("email"),
    avatarUrl: text("avatar_url"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("linked_identities_provider_subject_key").on(table.providerId, table.subject),
    uniqueIndex("linked_identities_user_provider_key").on(table.userId, table.providerId),
    index("linked_identities_user_idx").on(table.userId),
  ],
);

export type LinkedIdentity = typeof linkedIdentities.$inferSelect;
