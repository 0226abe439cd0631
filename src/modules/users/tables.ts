import { sql } from "drizzle-orm";
import { bigint, boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const userStatuses = ["active", "locked", "cancelled"] as const;

// How the second sign-in step is done (seed: SMS, MFA or email code).
export const loginVerificationMethods = ["none", "email", "sms", "totp"] as const;
export type LoginVerificationMethod = (typeof loginVerificationMethods)[number];

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    // E.164, set only once verified with an SMS code.
    phone: text("phone"),
    phoneVerifiedAt: timestamp("phone_verified_at", { withTimezone: true }),
    // Null for SSO accounts: they have no password here.
    passwordHash: text("password_hash"),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    // Created by signing in through an instance sign-in provider (GitHub,
    // Discord, an OIDC provider: modules/identities): it has no password until
    // its owner sets one through "Forgot password". Workspace SSO accounts
    // never get one, so a missing password alone does not say which it is.
    signedUpWithProvider: boolean("signed_up_with_provider").notNull().default(false),
    // Set for accounts a workspace's single sign-on created (modules/sso):
    // bound to that workspace, never a password, no self-cancellation. No
    // foreign key (workspaces reference users); the account outlives the
    // workspace's SSO configuration.
    ssoWorkspaceId: uuid("sso_workspace_id"),
    // The credential epoch: sessions whose credentials were proven before this
    // are signed out at their next request. Set in the same transaction as
    // the change that ends them, so "done" always includes "signed out".
    sessionsValidAfter: timestamp("sessions_valid_after", { withTimezone: true }),
    loginVerification: text("login_verification", { enum: loginVerificationMethods }).notNull().default("none"),
    // AES-256-GCM ciphertext of the TOTP secret (SECRET_KEY-derived key); null when 2FA is off.
    totpSecretEncrypted: text("totp_secret_encrypted"),
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
    // The last accepted 30 s time step: a code is accepted once.
    totpLastUsedStep: bigint("totp_last_used_step", { mode: "number" }),
    // Display preferences: null means "not chosen" (Accept-Language decides
    // the language; the browser's zone is saved at the first sign-in).
    language: text("language"),
    timeZone: text("time_zone"),
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
    uniqueIndex("users_phone_active_key")
      .on(table.phone)
      .where(sql`${table.phone} is not null and ${table.status} <> 'cancelled'`),
    index("users_created_at_idx").on(table.createdAt),
  ],
);

export type User = typeof users.$inferSelect;
