// Pure date arithmetic for "within N business days": no clock, no config.

export interface BusinessCalendar {
  timeZone: string;
  // Local dates (YYYY-MM-DD) that are not business days.
  holidays: readonly string[];
}

// Milliseconds the zone is ahead of UTC at `at`.
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at / 1000) * 1000;
}

// The local calendar date of an instant, as a UTC-midnight day number.
function localDay(at: Date, timeZone: string): number {
  const shifted = at.getTime() + zoneOffsetMs(at.getTime(), timeZone);
  const d = new Date(shifted);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

// The instant local midnight starts on `day` (a UTC-midnight day number);
// computed twice so a DST change on that day lands on the right offset.
function localMidnight(day: number, timeZone: string): number {
  let guess = day - zoneOffsetMs(day, timeZone);
  guess = day - zoneOffsetMs(guess, timeZone);
  return guess;
}

const DAY_MS = 86_400_000;
const isoDate = (day: number) => new Date(day).toISOString().slice(0, 10);

export function isBusinessDay(day: number, calendar: BusinessCalendar): boolean {
  const weekday = new Date(day).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !calendar.holidays.includes(isoDate(day));
}

// The last instant of the n-th business day after the local day of `from`
// (that day itself never counts): weekends and holidays are skipped.
export function endOfNthBusinessDayAfter(from: Date, n: number, calendar: BusinessCalendar): Date {
  let day = localDay(from, calendar.timeZone);
  let counted = 0;
  while (counted < n) {
    day += DAY_MS;
    if (isBusinessDay(day, calendar)) counted += 1;
  }
  return new Date(localMidnight(day + DAY_MS, calendar.timeZone) - 1);
}

export const TICKET_CLOSING_BUSINESS_DAYS = 7;

export function ticketsCloseBy(cancelledAt: Date, calendar: BusinessCalendar): Date {
  return endOfNthBusinessDayAfter(cancelledAt, TICKET_CLOSING_BUSINESS_DAYS, calendar);
}
