import { and, eq, ne, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { Db } from "../../platform/db.js";
import { ValidationError } from "../../platform/errors.js";
import type { SecurityEvent } from "../audit/index.js";
import type { CodeChannel } from "../codes/index.js";
import { emailSchema, users, type User } from "../users/index.js";
import { contactEvents } from "./events.js";

// Email and phone are bound and changed by the same flow; what differs is
// captured here, so the flow is written once (Kratos-style one interface).
export interface ContactChannel {
  id: "email" | "phone";
  label: string;
  codeChannel: CodeChannel;
  parse(input: unknown): string;
  current(user: User): string | null;
  isVerified(user: User): boolean;
  isTakenByOther(db: Db, value: string, userId: string): Promise<boolean>;
  save(db: Db, userId: string, value: string, at: Date): Promise<void>;
  uniqueIndex: string;
  boundEvent(user: User): SecurityEvent;
  changedEvent(user: User, previous: string, next: string, baseUrl: string): SecurityEvent;
}

export const emailChannel: ContactChannel = {
  id: "email",
  label: "email address",
  codeChannel: "email",
  parse(input) {
    const result = emailSchema.safeParse(input);
    if (!result.success) throw new ValidationError({ value: result.error.issues[0]!.message });
    return result.data;
  },
  current: (user) => user.email,
  isVerified: (user) => Boolean(user.emailVerifiedAt),
  async isTakenByOther(db, value, userId) {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(sql`lower(${users.email})`, value.toLowerCase()), ne(users.status, "cancelled"), ne(users.id, userId)))
      .limit(1);
    return Boolean(row);
  },
  async save(db, userId, value, at) {
    await db.update(users).set({ email: value, emailVerifiedAt: at, updatedAt: at }).where(eq(users.id, userId));
  },
  uniqueIndex: "users_email_lower_active_key",
  boundEvent: contactEvents.emailBound,
  changedEvent: contactEvents.emailChanged,
};

export const phoneChannel: ContactChannel = {
  id: "phone",
  label: "phone number",
  codeChannel: "sms",
  parse(input) {
    const raw = typeof input === "string" ? input.trim() : "";
    if (!raw) throw new ValidationError({ value: "contact:errors.phoneRequired" });
    const phone = parsePhoneNumberFromString(raw);
    if (!raw.startsWith("+") || !phone?.isValid()) {
      throw new ValidationError({ value: "contact:errors.phoneInvalid" });
    }
    return phone.number;
  },
  current: (user) => user.phone,
  isVerified: (user) => Boolean(user.phone && user.phoneVerifiedAt),
  async isTakenByOther(db, value, userId) {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.phone, value), ne(users.status, "cancelled"), ne(users.id, userId)))
      .limit(1);
    return Boolean(row);
  },
  async save(db, userId, value, at) {
    await db.update(users).set({ phone: value, phoneVerifiedAt: at, updatedAt: at }).where(eq(users.id, userId));
  },
  uniqueIndex: "users_phone_active_key",
  boundEvent: contactEvents.phoneBound,
  changedEvent: contactEvents.phoneChanged,
};

export const contactChannels = { email: emailChannel, phone: phoneChannel } as const;
export type ContactChannelId = keyof typeof contactChannels;
