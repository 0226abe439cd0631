import { createHash, randomBytes } from "node:crypto";
import type { Request, Response } from "express";
import { sql, type SQL } from "drizzle-orm";
import type { Deps } from "../../platform/deps.js";
import { describeDevice, userAgentFamily } from "../../platform/user-agent.js";
import type { RequestMeta } from "../../web/context.js";
import { defineEvents, recordEventThenSelect, recordEventWith, securityNotice, type SecurityEvent } from "./events.js";
import { knownDevices, noticePreferences } from "./tables.js";

// New-device alerts. A device is the pair (long-lived HttpOnly device cookie,
// user-agent family); a sign-in from a pair this account has not used for 90
// days records auth.new_device_sign_in and mails the owner, unless they
// muted optional notices. An account's very first remembered sign-in never
// alerts (nothing to compare with), so a new account gets no such mail.

export const NEW_DEVICE_DAYS = 90;
const DAY_MS = 86_400_000;
const COOKIE_MAX_AGE_MS = 400 * DAY_MS;

export function deviceCookieName(secure: boolean): string {
  return secure ? "__Host-latchkey.device" : "latchkey.device";
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

interface AlertedUser {
  id: string;
  email: string;
  username: string;
  // The notice is written in these (English and UTC when unknown).
  language?: string | null;
  timeZone?: string | null;
}

export const deviceEvents = defineEvents({
  newDeviceSignIn: {
    type: "auth.new_device_sign_in",
    label: "Signed in from a new device",
    warning: true,
    event: (user: AlertedUser, device: string, baseUrl: string, muted: boolean) => ({
      actorId: user.id,
      subjectId: user.id,
      details: { device, notified: !muted },
      notices: muted
        ? []
        : [
            securityNotice(user, { subject: "audit:mail.newDevice.subject", body: "audit:mail.newDevice.body", vars: { days: NEW_DEVICE_DAYS }, ending: "audit:mail.newDevice.ending", baseUrl }),
          ],
    }),
  },
});

// Called once per completed sign-in, before the response is sent (it may set
// the device cookie): records `signedIn` (the sign-in's event) and notes the
// device, in as few statements as it can (this runs on every sign-in): the
// event's row with a read of the account's devices and notice preference
// (read before anything here changes them) and, for a device that is not
// new, its upsert; for a new one, a second statement: its upsert with the
// new-device event and its mail.
export async function recordSignIn(
  deps: Pick<Deps, "db" | "config" | "clock">,
  req: Request,
  res: Response,
  user: AlertedUser,
  signedIn: SecurityEvent,
  meta: RequestMeta,
): Promise<void> {
  const name = deviceCookieName(deps.config.secureCookies);
  let deviceId = readCookie(req, name);
  if (!deviceId || !/^[A-Za-z0-9_-]{43}$/.test(deviceId)) deviceId = randomBytes(32).toString("base64url");
  // Renewed on every sign-in, so a device in use keeps its cookie.
  res.cookie(name, deviceId, { httpOnly: true, secure: deps.config.secureCookies, sameSite: "lax", path: "/", maxAge: COOKIE_MAX_AGE_MS });
  const deviceHash = createHash("sha256").update(`${deviceId}|${userAgentFamily(meta.userAgent)}`).digest("base64url");
  const now = deps.clock.now();
  const seenSince = new Date(now.getTime() - NEW_DEVICE_DAYS * DAY_MS).toISOString();

  // The device's row, last seen now: `rows` gives (user, hash, time).
  const upsertDevice = (rows: SQL) =>
    sql`insert into ${knownDevices} (user_id, device_hash, last_seen_at) ${rows} on conflict (user_id, device_hash) do update set last_seen_at = excluded.last_seen_at`;
  const deviceRow = sql`${user.id}::uuid, ${deviceHash}::text, ${now.toISOString()}::timestamptz`;

  // New: the account has a device on record, and not this one within 90 days.
  // A device that is not new is remembered by this same statement; a new one
  // below, together with its event and mail.
  const before = await recordEventThenSelect<{ known: boolean; seen_recently: boolean; muted: boolean }>(
    deps.db,
    signedIn,
    {
      with: sql`state as (
        select exists (select 1 from ${knownDevices} where ${knownDevices.userId} = ${user.id}) as known,
          exists (select 1 from ${knownDevices} where ${knownDevices.userId} = ${user.id} and ${knownDevices.deviceHash} = ${deviceHash} and ${knownDevices.lastSeenAt} >= ${seenSince}::timestamptz) as seen_recently,
          coalesce((select ${noticePreferences.muteOptional} from ${noticePreferences} where ${noticePreferences.userId} = ${user.id}), false) as muted
      ), remembered as (${upsertDevice(sql`select ${deviceRow} from state where not state.known or state.seen_recently`)})`,
      select: sql`select known, seen_recently, muted from state`,
    },
    meta,
    now,
  );
  if (!before.known || before.seen_recently) return;
  const { browser, device } = describeDevice(meta.userAgent);
  await recordEventWith(deps.db, upsertDevice(sql`values (${deviceRow})`), deviceEvents.newDeviceSignIn(user, `${browser}, ${device}`, deps.config.baseUrl, before.muted), meta, now);
}
