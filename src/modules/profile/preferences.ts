import { z } from "zod";
import type { Db } from "../../platform/db.js";
import { isValidTimeZone, timeZoneNames } from "../../platform/format.js";
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from "../../platform/i18n.js";
import { defineSection } from "../../web/sections.js";
import { rememberTimeZoneIfUnset, updateDisplayPreferences, type User } from "../users/index.js";

// Language and time zone: how the account reads Latchkey (pages, times,
// mails). "" for the language means "follow the browser" (Accept-Language).
export const preferencesSchema = z.object({
  language: z
    .string()
    .max(16)
    .refine((value) => value === "" || isLanguage(value), "profile:preferences.errors.language"),
  timeZone: z.string().max(64).refine(isValidTimeZone, "profile:preferences.errors.timeZone"),
});
export type PreferencesInput = z.infer<typeof preferencesSchema>;

export async function savePreferences(db: Db, user: Pick<User, "id">, input: PreferencesInput): Promise<void> {
  await updateDisplayPreferences(db, user.id, { language: input.language === "" ? null : input.language, timeZone: input.timeZone });
}

// At sign-in, the zone the browser reported (a hidden field filled by
// public/js/app.js) becomes the default, only for an account without one.
export async function adoptBrowserTimeZone(db: Db, user: Pick<User, "id" | "timeZone">, candidate: unknown): Promise<void> {
  if (user.timeZone || !isValidTimeZone(candidate)) return;
  await rememberTimeZoneIfUnset(db, user.id, candidate);
}

export function presentPreferences(user: Pick<User, "language" | "timeZone">) {
  return {
    language: user.language ?? "",
    timeZone: user.timeZone ?? "UTC",
    languages: LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value] })),
    timeZones: timeZoneNames(),
  };
}

export const preferencesSection = defineSection({
  id: "preferences",
  page: "profile",
  order: 40,
  view: "profile/_preferences-form",
  load: ({ user }) => ({ preferences: presentPreferences(user) }),
});
