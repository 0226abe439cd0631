import { remembered } from "./remember.js";

// One way to show a time and a date everywhere (logs, lists, mails) until
// times follow each user's time zone.
export function formatUtc(at: Date | number | undefined | null, empty = "—"): string {
  if (at === undefined || at === null || at === 0) return empty;
  const date = typeof at === "number" ? new Date(at) : at;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function formatDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

// Times as each reader sees them: in their language and time zone
// (users.language / users.time_zone; UTC until a zone is known). Every view
// gets one as `fmt` (web/i18n.ts); mails build one for their recipient.
export interface TimeFormatter {
  readonly language: string;
  readonly timeZone: string;
  // "Nov 24, 2026, 03:19 UTC" / "2026年11月24日 11:19 GMT+8"
  dateTime(at: Date | number | undefined | null, empty?: string): string;
  // "Nov 24, 2026" / "2026年11月24日"
  date(at: Date | number | undefined | null, empty?: string): string;
  // "in 3 minutes", "2 hours ago" / "3分钟后", "2小时前"
  relative(at: Date | number, now?: Date | number): string;
  // "7 days", "30 minutes" / "7天", "30分钟"
  duration(minutes: number): string;
  // A <time> element: relative text, the exact time on hover (safe HTML: built only from a date).
  timeTag(at: Date | number | undefined | null, options?: { relative?: boolean; empty?: string }): string;
}

export const DEFAULT_TIME_ZONE = "UTC";

// Asking Intl is costly (building a DateTimeFormat: a good part of a
// millisecond) and this runs on every request (web/i18n.ts), so answers are
// remembered: IANA has a few hundred zones, and at most 1,000 unknown names
// are kept, so a client sending random names cannot grow the cache.
const knownZones = new Map<string, boolean>();
const MAX_REMEMBERED_INVALID_ZONES = 1000;
let rememberedInvalidZones = 0;

export function isValidTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  if (valid || rememberedInvalidZones++ < MAX_REMEMBERED_INVALID_ZONES) knownZones.set(zone, valid);
  return valid;
}

// The zones the profile offers (IANA names), UTC first.
export function timeZoneNames(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
}

interface IntlParts {
  dayAndTime: Intl.DateTimeFormat;
  zoneName: Intl.DateTimeFormat;
  day: Intl.DateTimeFormat;
  relative: Intl.RelativeTimeFormat;
  minutes: Intl.NumberFormat;
  hours: Intl.NumberFormat;
  days: Intl.NumberFormat;
}

// Building Intl formatters costs more than using them: one set per language and zone.
const intlCache = new Map<string, IntlParts>();

function intlParts(language: string, zone: string): IntlParts {
  const key = `${language}|${zone}`;
  let parts = intlCache.get(key);
  if (!parts) {
    const units = (unit: "minute" | "hour" | "day") => new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "long" });
    parts = {
      dayAndTime: new Intl.DateTimeFormat(language, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }),
      zoneName: new Intl.DateTimeFormat("en", { timeZone: zone, timeZoneName: "short" }),
      day: new Intl.DateTimeFormat(language, { year: "numeric", month: "short", day: "numeric", timeZone: zone }),
      relative: new Intl.RelativeTimeFormat(language, { numeric: "auto" }),
      minutes: units("minute"),
      hours: units("hour"),
      days: units("day"),
    };
    intlCache.set(key, parts);
  }
  return parts;
}

const REMEMBERED_ANSWERS = 1000;

export function createTimeFormatter(language: string, timeZone: string | null | undefined, clock: () => number = Date.now): TimeFormatter {
  const zone = isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  const toDate = (at: Date | number) => (typeof at === "number" ? new Date(at) : at);
  const missing = (at: Date | number | undefined | null) => at === undefined || at === null || at === 0 || Number.isNaN(toDate(at).getTime());
  const { dayAndTime, zoneName, day, relative: relativeFormat, minutes: minuteUnits, hours: hourUnits, days: dayUnits } = intlParts(language, zone);

  const dateTime = (at: Date | number | undefined | null, empty = "—") => {
    if (missing(at)) return empty;
    const date = toDate(at!);
    const name = zoneName.formatToParts(date).find((part) => part.type === "timeZoneName")?.value ?? zone;
    return `${dayAndTime.format(date)} ${name}`;
  };
  const relative = (at: Date | number, now: Date | number = clock()) => {
    const seconds = Math.round((toDate(at).getTime() - toDate(now).getTime()) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 45) return relativeFormat.format(0, "second");
    if (abs < 45 * 60) return relativeFormat.format(Math.round(seconds / 60), "minute");
    if (abs < 22 * 3600) return relativeFormat.format(Math.round(seconds / 3600), "hour");
    if (abs < 26 * 86400) return relativeFormat.format(Math.round(seconds / 86400), "day");
    if (abs < 320 * 86400) return relativeFormat.format(Math.round(seconds / (30 * 86400)), "month");
    return relativeFormat.format(Math.round(seconds / (365 * 86400)), "year");
  };
  // Pages show the same few dates and limits over and over (a workspace's),
  // and a formatter lives as long as its language and zone (web/i18n.ts).
  const dayOf = remembered(REMEMBERED_ANSWERS, (ms: number) => day.format(ms));
  const duration = remembered(REMEMBERED_ANSWERS, (minutes: number) => {
    if (minutes > 0 && minutes % 1440 === 0) return dayUnits.format(minutes / 1440);
    if (minutes > 0 && minutes % 60 === 0) return hourUnits.format(minutes / 60);
    return minuteUnits.format(minutes);
  });
  const formatter: TimeFormatter = {
    language,
    timeZone: zone,
    dateTime,
    date: (at, empty = "—") => (missing(at) ? empty : dayOf(toDate(at!).getTime())),
    relative,
    duration,
    timeTag(at, options = {}) {
      if (missing(at)) return escapeText(options.empty ?? "—");
      const date = toDate(at!);
      const exact = dateTime(date);
      const shown = options.relative === false ? exact : relative(date);
      return `<time datetime="${date.toISOString()}" title="${escapeText(exact)}">${escapeText(shown)}</time>`;
    },
  };
  return formatter;
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
