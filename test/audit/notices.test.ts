import { describe, expect, it } from "vitest";
import { adminEvents } from "../../src/modules/admin/events.js";
import type { NoticeContext, SecurityEvent } from "../../src/modules/audit/index.js";
import { deviceEvents } from "../../src/modules/audit/devices.js";
import { cancellationEvents } from "../../src/modules/cancellation/events.js";
import { contactEvents } from "../../src/modules/contact/events.js";
import { memberEvents } from "../../src/modules/members/events.js";
import { passkeyEvents } from "../../src/modules/passkeys/events.js";
import { passwordEvents } from "../../src/modules/password/events.js";
import { tokenEvents } from "../../src/modules/tokens/events.js";
import type { AccessToken } from "../../src/modules/tokens/tables.js";
import { twoFactorEvents } from "../../src/modules/two-factor/events.js";
import type { User } from "../../src/modules/users/index.js";
import type { Workspace } from "../../src/modules/workspaces/index.js";

// Every notice the issue lists says what happened, when, on what device and
// from where (place and IP when a GeoIP database knows the address), and what
// to do if it was not you. Rendered here from the event catalogue itself, with
// the context recordEvent gives them; the flows that send them are tested
// through the SMTP catcher in their modules (and test/audit/geoip.test.ts).

const BASE = "https://latchkey.example";
const context: NoticeContext = { at: new Date("2026-11-24T03:19:00Z"), ip: "203.0.113.7", device: "Firefox 140, Linux", from: "Berlin, Germany (203.0.113.7)" };
const user = { id: "00000000-0000-4000-8000-000000000001", username: "ada", email: "ada@example.test", language: null } as unknown as User;
const other = { id: "00000000-0000-4000-8000-000000000002", username: "bob", email: "bob@example.test", language: null } as unknown as User;
const workspace = { id: "00000000-0000-4000-8000-000000000003", name: "Acme", slug: "acme" } as unknown as Workspace;
const token = { id: "t1", name: "ci", scopes: ["account:read"], ipAllowList: [], expiresAt: new Date("2027-01-01T00:00:00Z"), userId: user.id } as unknown as AccessToken;

function mails(event: SecurityEvent) {
  return (event.notices ?? []).map((notice) => ({ to: notice.to, subject: notice.subject, text: typeof notice.text === "function" ? notice.text(context) : notice.text }));
}

const SECURITY_PAGE = `${BASE}/settings/security`;
const listed: Array<[string, SecurityEvent, { to: string[]; what: RegExp; notYou: string }]> = [
  ["password changed", passwordEvents.changed(user, false, BASE), { to: [user.email], what: /password of your Latchkey account was changed/, notYou: `${BASE}/forgot-password` }],
  ["email changed (old and new address)", contactEvents.emailChanged(user, "old@example.test", "new@example.test", BASE), { to: ["old@example.test", "new@example.test"], what: /email address of your Latchkey account was changed/, notYou: SECURITY_PAGE }],
  ["phone changed", contactEvents.phoneChanged(user, "+447700900456", "+14155552671", BASE), { to: [user.email], what: /phone number of your Latchkey account was changed/, notYou: SECURITY_PAGE }],
  ["2FA turned off", twoFactorEvents.disabled(user, BASE), { to: [user.email], what: /Two-factor authentication was turned off/, notYou: SECURITY_PAGE }],
  ["2FA reset by an administrator", twoFactorEvents.resetByAdmin(other.id, user, null, BASE), { to: [user.email], what: /An administrator reset two-factor authentication/, notYou: SECURITY_PAGE }],
  ["2FA reset after a backup-code sign-in", twoFactorEvents.resetByUser(user, BASE), { to: [user.email], what: /authenticator of your Latchkey account was removed/, notYou: SECURITY_PAGE }],
  ["backup code used", twoFactorEvents.backupCodeUsed(user, 7, BASE), { to: [user.email], what: /A backup code was used/, notYou: SECURITY_PAGE }],
  ["passkey added", passkeyEvents.added(user, "YubiKey", BASE), { to: [user.email], what: /the passkey "YubiKey" was added/, notYou: SECURITY_PAGE }],
  ["token created", tokenEvents.created(user.id, user, token, BASE), { to: [user.email], what: /An access token named "ci" was created/, notYou: SECURITY_PAGE }],
  ["ownership transferred (from and to you)", memberEvents.ownershipTransferred(workspace, user, other, BASE), { to: [user.email, other.email], what: /transferred the ownership of Acme/, notYou: SECURITY_PAGE }],
  ["new device", deviceEvents.newDeviceSignIn(user, "Firefox 140, Linux", BASE, false), { to: [user.email], what: /signed in from a device not seen/, notYou: SECURITY_PAGE }],
];

describe("security notices", () => {
  it.each(listed)("%s: what, when, device, from where, and what to do if it was not you", (_name, event, expected) => {
    const sent = mails(event);
    expect(sent.map((mail) => mail.to)).toEqual(expected.to);
    for (const mail of sent) {
      expect(mail.text).toMatch(expected.what);
      expect(mail.text).toContain("When: Nov 24, 2026, 03:19 UTC");
      expect(mail.text).toContain("Device: Firefox 140, Linux");
      expect(mail.text).toContain("From: Berlin, Germany (203.0.113.7)");
      expect(mail.text).toMatch(/Not you\?/);
      expect(mail.text).toContain(expected.notYou);
    }
  });

  it("account cancelled: what, when, from where, and whom to turn to (there is no account left to secure)", () => {
    const [mail] = mails(cancellationEvents.cancelled(user, "2026-12-03 17:00 UTC", `${BASE}/account-cancelled/x/y`));
    expect(mail!.to).toBe(user.email);
    expect(mail!.text).toContain("Your Latchkey account was cancelled.");
    expect(mail!.text).toContain("When: Nov 24, 2026, 03:19 UTC");
    expect(mail!.text).toContain("From: Berlin, Germany (203.0.113.7)");
    expect(mail!.text).toMatch(/Not you\? Contact your administrator/);
  });

  it("an administrator's email change is told to the old and the new address, and account changes say when and from where", () => {
    const actor = { id: other.id, via: "web" } as never;
    const sent = mails(adminEvents.emailChanged(actor, user, "new@example.test"));
    expect(sent.map((mail) => mail.to)).toEqual([user.email, "new@example.test"]);
    for (const mail of [...sent, ...mails(adminEvents.disabled(actor, user)), ...mails(adminEvents.deleted(actor, user))]) {
      expect(mail.text).toContain("When: Nov 24, 2026, 03:19 UTC");
      expect(mail.text).toContain("From: Berlin, Germany (203.0.113.7)");
    }
  });

  it("only the optional notices can be muted: new device and the owner's own token", () => {
    expect(mails(deviceEvents.newDeviceSignIn(user, "Firefox 140, Linux", BASE, true))).toEqual([]);
    expect(mails(tokenEvents.created(user.id, user, token, BASE, true))).toEqual([]);
    // An administrator's token for you is told even when muted.
    expect(mails(tokenEvents.created(other.id, user, token, BASE, true))).toHaveLength(1);
  });

  it("is written in the recipient's saved language and time zone (a zh-CN account in Shanghai), whoever caused it", () => {
    const reader = { ...user, language: "zh-CN", timeZone: "Asia/Shanghai" } as unknown as User;
    for (const event of [passwordEvents.changed(reader, false, BASE), deviceEvents.newDeviceSignIn(reader, "Firefox 140, Linux", BASE, false)]) {
      const [mail] = mails(event);
      expect(mail!.subject).toMatch(/[\u4e00-\u9fff]/);
      expect(mail!.subject).not.toMatch(/Latchkey (password|account) was/);
      expect(mail!.text).toContain("ada，你好：");
      // 03:19 UTC is 11:19 in Shanghai.
      expect(mail!.text).toContain("时间：2026年11月24日 11:19 GMT+8");
      expect(mail!.text).toContain("设备：Firefox 140, Linux");
      expect(mail!.text).not.toMatch(/\bWhen:|Not you\?|UTC/);
    }
    expect(mails(passwordEvents.changed(reader, false, BASE))[0]!.text).toContain("你的 Latchkey 账户密码已通过当前密码修改。");
  });

  it("carries no secret in a notice or in the recorded details", () => {
    const everything = JSON.stringify(listed.map(([, event]) => ({ details: event.details, mails: mails(event) })));
    expect(everything).not.toMatch(/lk_[A-Za-z0-9]/);
    // Phone numbers in details and notices are masked.
    expect(everything).not.toContain("+14155552671");
  });
});
