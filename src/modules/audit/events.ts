import type { Db } from "../../platform/db.js";
import { createTimeFormatter } from "../../platform/format.js";
import { DEFAULT_LANGUAGE, isLanguage, translatorFor, type TranslateVars } from "../../platform/i18n.js";
import { describeDevice } from "../../platform/user-agent.js";
import type { MailMessage } from "../../platform/mail.js";
import { enqueueMail, mailOutboxInsert } from "../../platform/queue.js";
import { OUTBOX_CHANNEL } from "../../platform/outbox/index.js";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { RequestMeta } from "../../web/context.js";
import { auditEvents } from "./tables.js";

// Typed security events. Each module declares its own in its events.ts with
// defineEvents({...}): the type, the label people read in the security log,
// and what the notice mail says. recordEvent writes the audit row and the
// notice's outbox row in the caller's transaction, so a change and its
// record and notice commit together or not at all.

export interface NoticeContext {
  at: Date;
  ip: string;
  // "Chrome 131, Linux" from the user agent, or "Unknown browser, Unknown device".
  device: string;
  // "Berlin, Germany (203.0.113.7)" with a GeoIP database, else the IP alone.
  from: string;
}

// Whom a notice is read by: their saved language and time zone
// (users.language / users.time_zone), English and UTC when unknown. A notice
// is written for its recipient, never in the language of whoever caused it.
export interface NoticeReader {
  language?: string | null;
  timeZone?: string | null;
}

// The lines every security notice carries: what happened is the caller's,
// then when (in the reader's zone), on what device and from where.
export function whenAndWhere(context: NoticeContext, reader: NoticeReader = {}): string {
  const fmt = createTimeFormatter(isLanguage(reader.language) ? reader.language : DEFAULT_LANGUAGE, reader.timeZone);
  return translatorFor(reader.language)("audit:mail.whenAndWhere", { when: fmt.dateTime(context.at), device: context.device, from: context.from });
}

// What to do if it was not you: the security page ends the other sessions
// and changes the password (someone who changed the password itself is
// undone through the reset link instead, see password/mails.ts).
export function notYouLine(baseUrl: string, reader: NoticeReader = {}): string {
  return translatorFor(reader.language)("audit:mail.notYou", { baseUrl });
}

export interface NoticeRecipient extends NoticeReader {
  email: string;
  username: string;
}

// A security notice written as keys and variables: "Hi <username>," + body +
// when/device/from + "Not you?…" (+ `then`, a next step), or `ending` in
// place of the "Not you?" line. Subject and body are translated into the
// recipient's language, the time shown in their zone. `baseUrl` and
// `username` are always among the variables. `to` is the recipient's address
// unless given (an old address being told of its replacement).
export function securityNotice(
  recipient: NoticeRecipient,
  message: { subject: string; body: string; vars?: TranslateVars; baseUrl: string; then?: string; ending?: string | false },
  to: string = recipient.email,
): Notice {
  const t = translatorFor(recipient.language);
  const vars = { username: recipient.username, baseUrl: message.baseUrl, ...message.vars };
  return {
    to,
    subject: t(message.subject, vars),
    text: (context) => {
      const ending =
        message.ending === false ? null : message.ending ? t(message.ending, vars) : [notYouLine(message.baseUrl, recipient), message.then ? t(message.then, vars) : null].filter(Boolean).join(" ");
      return [t("audit:mail.greeting", vars), t(message.body, vars), whenAndWhere(context, recipient), ending].filter((part) => part !== null).join("\n\n") + "\n";
    },
  };
}

export function noticeContext(meta: RequestMeta | undefined, at: Date): NoticeContext {
  const ip = meta?.ip ?? "unknown";
  const { browser, device } = describeDevice(meta?.userAgent);
  return { at, ip, device: `${browser}, ${device}`.replace(/[\u0000-\u001f\u007f]+/g, " "), from: meta?.place ? `${meta.place} (${ip})` : ip };
}

export interface Notice {
  to: string;
  subject: string;
  text: string | ((context: NoticeContext) => string);
}

export interface SecurityEvent {
  type: string;
  actorId?: string | null;
  subjectId?: string | null;
  workspaceId?: string | null;
  // Never a secret (password, code, token).
  details?: Record<string, unknown>;
  notices?: Notice[];
}

type EventBody = Omit<SecurityEvent, "type">;

interface EventSpec {
  type: string;
  label: string;
  // Shown highlighted in logs: something the account owner should look at.
  warning?: boolean;
  event: (...args: never[]) => EventBody;
}

export interface EventTypeInfo {
  label: string;
  warning: boolean;
}

// Every declared type, filled as modules load; the logs read labels from it.
const catalogue = new Map<string, EventTypeInfo>();

export function defineEvents<Specs extends Record<string, EventSpec>>(
  specs: Specs,
): { [K in keyof Specs]: (...args: Parameters<Specs[K]["event"]>) => SecurityEvent } {
  const factories: Record<string, (...args: never[]) => SecurityEvent> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (catalogue.has(spec.type)) throw new Error(`The event type "${spec.type}" is declared twice.`);
    catalogue.set(spec.type, { label: spec.label, warning: spec.warning ?? false });
    factories[name] = (...args) => ({ type: spec.type, ...spec.event(...args) });
  }
  return factories as never;
}

export function eventTypeInfo(type: string): EventTypeInfo {
  return catalogue.get(type) ?? { label: type, warning: false };
}

export function declaredEventTypes(): string[] {
  return [...catalogue.keys()].sort();
}

function auditRowInsert(db: Db, event: SecurityEvent, meta?: RequestMeta) {
  return db.insert(auditEvents).values({
    action: event.type,
    actorId: event.actorId ?? null,
    subjectId: event.subjectId ?? null,
    workspaceId: event.workspaceId ?? null,
    ip: meta?.ip ?? null,
    userAgent: meta?.userAgent?.slice(0, 500) ?? null,
    details: event.details ?? {},
  });
}

function noticeMails(event: SecurityEvent, meta: RequestMeta | undefined, at: Date): MailMessage[] {
  if (!event.notices?.length) return [];
  const context = noticeContext(meta, at);
  return event.notices.map((notice) => ({ to: notice.to, subject: notice.subject, text: typeof notice.text === "function" ? notice.text(context) : notice.text }) satisfies MailMessage);
}

export async function recordEvent(tx: Db, event: SecurityEvent, meta?: RequestMeta, at = new Date()): Promise<void> {
  await auditRowInsert(tx, event, meta);
  for (const mail of noticeMails(event, meta, at)) await enqueueMail(tx, mail);
}

// recordEvent and the change it records (an insert or update) as ONE
// statement: they commit together, as in a transaction, in one round trip
// instead of begin + change + row + a row per notice + commit. For hot paths
// (every sign-in). The WITH parts run on one snapshot and all complete.
export async function recordEventWith(db: Db, change: SQLWrapper, event: SecurityEvent, meta?: RequestMeta, at = new Date()): Promise<void> {
  const mails = noticeMails(event, meta, at).map((mail, i) => sql`, ${sql.identifier(`mail_${i}`)} as (${mailOutboxInsert(mail)})`);
  // Each outbox row notifies its relays, as enqueueMail does.
  const notify = mails.length
    ? sql`select pg_notify(${OUTBOX_CHANNEL}, '') from (${sql.join(
        mails.map((_, i) => sql`select id from ${sql.identifier(`mail_${i}`)}`),
        sql` union all `,
      )}) as queued`
    : sql`select 1`;
  await db.execute(sql`with change as (${change.getSQL()}), audit_row as (${auditRowInsert(db, event, meta).getSQL()})${sql.join(mails)} ${notify}`);
}

// Records an event and runs `query` (`select`, after more WITH parts if
// given) in the same statement: one round trip for both. The query sees the
// tables as they were before this statement wrote anything. (An event with
// notices is recorded first, on its own.)
export async function recordEventThenSelect<Row>(db: Db, event: SecurityEvent, query: { with?: SQL; select: SQL }, meta?: RequestMeta, at = new Date()): Promise<Row> {
  const firstRow = (result: unknown) => (result as { rows: Row[] }).rows[0]!;
  const more = query.with ? sql`, ${query.with}` : sql``;
  if (event.notices?.length) {
    await recordEvent(db, event, meta, at);
    return firstRow(await db.execute(query.with ? sql`with ${query.with} ${query.select}` : query.select));
  }
  return firstRow(await db.execute(sql`with audit_row as (${auditRowInsert(db, event, meta).getSQL()})${more} ${query.select}`));
}
