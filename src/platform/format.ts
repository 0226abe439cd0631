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
