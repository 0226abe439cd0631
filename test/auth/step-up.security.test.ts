import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { backupCodes } from "../../src/modules/two-factor/tables.js";
import { users, type User } from "../../src/modules/users/tables.js";
import { workspaces } from "../../src/modules/workspaces/tables.js";
import { manualClock } from "../../src/platform/clock.js";
import { addMember, createUser, createWorkspace, reloadUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor, signedInWithTotp } from "../helpers/two-factor.js";

// SECURITY.md, step-up: "sensitive changes need an authentication younger
// than 15 minutes (configurable), else a re-authentication page that returns
// to the action". Every sensitive POST is tried with an authentication 16
// minutes old: it must send the browser to /reauth and change nothing. Then,
// after /reauth, the very same request goes through: proof that the request
// was a valid one and only the stale authentication stopped it.
//
// Each case signs in, prepares what the action needs while the sign-in is
// still fresh (10 minutes in: codes and the identity check of a contact
// change last 10 minutes), and acts at 16 minutes.

const MINUTE = 60_000;
const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

type Fields = Record<string, string>;

interface Arranged {
  client: HttpClient;
  // The page the form is on: the Referer of the POST, where /reauth leads back to.
  page: string;
  // Runs while the sign-in is still fresh.
  prepare?(): Promise<void>;
  // The request, built when it is sent (codes are read then).
  request(): { path: string; fields: Fields } | Promise<{ path: string; fields: Fields }>;
  // What the action would change.
  state(): Promise<unknown>;
  // Whether the action, once allowed, changes `state` (some steps only move the flow along).
  changesState: boolean;
  // The fields that prove it is the user again on /reauth.
  reauth(): Fields;
}

interface StaleCase {
  name: string;
  arrange(): Promise<Arranged>;
}

const CHANGED_PASSWORD = "Brand-New-Secret-77";

async function userRow(id: string) {
  const user = await reloadUser(app.deps, id);
  return {
    passwordHash: user.passwordHash,
    email: user.email,
    emailVerifiedAt: user.emailVerifiedAt,
    phone: user.phone,
    phoneVerifiedAt: user.phoneVerifiedAt,
    totpEnabledAt: user.totpEnabledAt,
    totpSecretEncrypted: user.totpSecretEncrypted,
    loginVerification: user.loginVerification,
  };
}

async function workspaceRow(id: string) {
  const [row] = await app.deps.db.select().from(workspaces).where(eq(workspaces.id, id));
  return { requireTwoFactor: row!.requireTwoFactor, sessionIdleMinutes: row!.sessionIdleMinutes, sessionMaxDays: row!.sessionMaxDays };
}

async function backupCodeHashes(userId: string) {
  const rows = await app.deps.db.select().from(backupCodes).where(eq(backupCodes.userId, userId));
  return rows.map((row) => JSON.stringify(row)).sort();
}

// Whether a second session of the user is still signed in.
async function stillSignedIn(client: HttpClient) {
  return (await client.get("/settings/profile")).status === 200;
}

const byPassword = (user: { password: string }) => () => ({ method: "password", password: user.password });
const byTotp = (secret: string) => () => ({ method: "totp", code: codeForSecret(secret, clock.now().getTime()) });

async function withTotp(user: User) {
  const { secret, backupCodes: codes } = await enableTotpFor(app.deps, user);
  return { secret, codes };
}

// A French mobile number: every +33 6 followed by 8 digits is a valid one.
function uniquePhone(): string {
  return `+336${String(randomInt(0, 100_000_000)).padStart(8, "0")}`;
}

async function verifiedContacts(user: User, phone: string) {
  await app.deps.db.update(users).set({ emailVerifiedAt: clock.now(), phone, phoneVerifiedAt: clock.now() }).where(eq(users.id, user.id));
}

// The handle of the session that is not this one, from the sessions list.
async function otherSessionHandle(client: HttpClient): Promise<string> {
  const page = await client.get("/settings/security");
  const rows = page.text.split('<tr data-session="').slice(1);
  const other = rows.find((row) => !row.includes("This session"));
  if (!other) throw new Error("no other session listed");
  return other.slice(0, other.indexOf('"'));
}

// Email and phone changes: a verified value, changed in steps (identity,
// then the new value and its code). `upTo` is the step tried stale; the
// steps before it run while the sign-in is fresh.
type ContactStep = "start" | "identity/send" | "identity/verify" | "send" | "confirm";
const CONTACT_STEPS: ContactStep[] = ["start", "identity/send", "identity/verify", "send", "confirm"];

function contactCase(channel: "email" | "phone", step: ContactStep, via: "code" | "password" = "code"): StaleCase {
  return {
    name: `POST /settings/profile/${channel}/${step}${step === "identity/verify" ? ` (with ${via === "code" ? "a code" : "the password"})` : ""}`,
    async arrange() {
      const user = await createUser(app.deps);
      const current = uniquePhone();
      await verifiedContacts(user, current);
      const client = await signedInClient(app.baseUrl, user);
      const next = channel === "email" ? `new_${user.username}@example.test` : uniquePhone();
      const base = `/settings/profile/${channel}`;
      const reached = CONTACT_STEPS.indexOf(step);
      let identityCode = "";
      let newValueCode = "";
      const latest = async (to: string, why: RegExp) =>
        codeIn(channel === "email" ? (await app.mail.waitFor(to, /verification code/, { text: why })).text : (await app.sms.waitFor(to, why)).text);
      const expectStep = async (path: string, fields: Fields) => {
        const response = await client.post(path, fields);
        if (response.status !== 303) throw new Error(`preparing ${path}: ${response.status}`);
      };
      return {
        client,
        page: "/settings/profile",
        async prepare() {
          if (reached > 0) await expectStep(`${base}/start`, {});
          if (step === "identity/verify" && via === "code") {
            await expectStep(`${base}/identity/send`, {});
            identityCode = await latest(channel === "email" ? user.email : current, /to confirm it is you/);
          }
          if (reached > 2) await expectStep(`${base}/identity/verify`, { password: user.password });
          if (reached > 3) {
            await expectStep(`${base}/send`, { value: next });
            newValueCode = await latest(next, /to verify this/);
          }
        },
        request() {
          const fields: Record<ContactStep, Fields> = {
            start: {},
            "identity/send": {},
            "identity/verify": via === "code" ? { code: identityCode } : { password: user.password },
            send: { value: next },
            confirm: { code: newValueCode },
          };
          return { path: `${base}/${step}`, fields: fields[step] };
        },
        state: () => userRow(user.id),
        changesState: step === "confirm",
        reauth: byPassword(user),
      };
    },
  };
}

const cases: StaleCase[] = [
  {
    name: "POST /settings/security/password (change password)",
    async arrange() {
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, user);
      return {
        client,
        page: "/settings/security",
        request: () => ({
          path: "/settings/security/password",
          fields: { currentPassword: user.password, newPassword: CHANGED_PASSWORD, confirmPassword: CHANGED_PASSWORD, signOutOthersOffered: "1", signOutOthers: "1" },
        }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byPassword(user),
      };
    },
  },
  {
    name: "POST /settings/security/two-factor/setup (turn on 2FA)",
    async arrange() {
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, user);
      let secret = "";
      return {
        client,
        page: "/settings/security/two-factor/setup",
        async prepare() {
          const setup = await client.get("/settings/security/two-factor/setup");
          secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1]!.replace(/ /g, "");
        },
        request: () => ({ path: "/settings/security/two-factor/setup", fields: { code: codeForSecret(secret, clock.now().getTime()) } }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byPassword(user),
      };
    },
  },
  {
    name: "POST /settings/security/two-factor/backup-codes (new backup codes)",
    async arrange() {
      const user = await createUser(app.deps);
      const { secret } = await withTotp(user);
      const client = await signedInWithTotp(app.baseUrl, app.deps, user, secret);
      return {
        client,
        page: "/settings/security",
        request: () => ({ path: "/settings/security/two-factor/backup-codes", fields: { confirmed: "yes" } }),
        state: () => backupCodeHashes(user.id),
        changesState: true,
        reauth: byTotp(secret),
      };
    },
  },
  {
    name: "POST /settings/security/two-factor/reenrol (set the authenticator up again after a backup-code sign-in)",
    async arrange() {
      const user = await createUser(app.deps);
      const { secret, codes } = await withTotp(user);
      const client = new HttpClient(app.baseUrl);
      await client.submit("/login", "/login", { login: user.username, password: user.password });
      const signedIn = await client.post("/login/verify", { backupCode: codes[0]! });
      if (signedIn.status !== 303) throw new Error(`backup code sign-in: ${signedIn.status}`);
      await client.get("/settings/security");
      return {
        client,
        page: "/settings/security",
        request: () => ({ path: "/settings/security/two-factor/reenrol", fields: {} }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byTotp(secret),
      };
    },
  },
  {
    name: "POST /settings/security/login-verification (from email codes back to the password only)",
    async arrange() {
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, user);
      // Chosen after this sign-in, so the client needs no emailed code.
      await app.deps.db.update(users).set({ emailVerifiedAt: clock.now(), loginVerification: "email" }).where(eq(users.id, user.id));
      return {
        client,
        page: "/settings/security",
        request: () => ({ path: "/settings/security/login-verification", fields: { method: "none" } }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byPassword(user),
      };
    },
  },
  {
    name: "POST /settings/security/sessions/others/end (sign out the other sessions)",
    async arrange() {
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, user);
      const other = await signedInClient(app.baseUrl, user);
      return {
        client,
        page: "/settings/security",
        request: () => ({ path: "/settings/security/sessions/others/end", fields: { confirmed: "yes" } }),
        state: () => stillSignedIn(other),
        changesState: true,
        reauth: byPassword(user),
      };
    },
  },
  {
    name: "POST /settings/security/sessions/:handle/end (sign out one session)",
    async arrange() {
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, user);
      const other = await signedInClient(app.baseUrl, user);
      const handle = await otherSessionHandle(client);
      return {
        client,
        page: "/settings/security",
        request: () => ({ path: `/settings/security/sessions/${handle}/end`, fields: { confirmed: "yes" } }),
        state: () => stillSignedIn(other),
        changesState: true,
        reauth: byPassword(user),
      };
    },
  },
  {
    name: "POST /w/:slug/settings/sessions (workspace session limits)",
    async arrange() {
      const owner = await createUser(app.deps);
      const workspace = await createWorkspace(app.deps, owner);
      const client = await signedInClient(app.baseUrl, owner);
      return {
        client,
        page: `/w/${workspace.slug}/settings`,
        request: () => ({ path: `/w/${workspace.slug}/settings/sessions`, fields: { sessionIdleMinutes: "60", sessionMaxDays: "7" } }),
        state: () => workspaceRow(workspace.id),
        changesState: true,
        reauth: byPassword(owner),
      };
    },
  },
  {
    name: "POST /w/:slug/settings/two-factor (an admin turns the 2FA requirement on)",
    async arrange() {
      const workspace = await createWorkspace(app.deps, await createUser(app.deps));
      const admin = await createUser(app.deps);
      await addMember(app.deps, workspace, admin, "admin");
      const client = await signedInClient(app.baseUrl, admin);
      return {
        client,
        page: `/w/${workspace.slug}/settings`,
        request: () => ({ path: `/w/${workspace.slug}/settings/two-factor`, fields: { requireTwoFactor: "on" } }),
        state: () => workspaceRow(workspace.id),
        changesState: true,
        reauth: byPassword(admin),
      };
    },
  },
  {
    name: "POST /w/:slug/settings/two-factor (the owner turns the 2FA requirement off)",
    async arrange() {
      const owner = await createUser(app.deps);
      const workspace = await createWorkspace(app.deps, owner);
      await app.deps.db.update(workspaces).set({ requireTwoFactor: true }).where(eq(workspaces.id, workspace.id));
      const { secret } = await withTotp(owner);
      const client = await signedInWithTotp(app.baseUrl, app.deps, owner, secret);
      return {
        client,
        page: `/w/${workspace.slug}/settings`,
        request: () => ({ path: `/w/${workspace.slug}/settings/two-factor`, fields: {} }),
        state: () => workspaceRow(workspace.id),
        changesState: true,
        reauth: byTotp(secret),
      };
    },
  },
  {
    name: "POST /w/:slug/members/:userId/two-factor/reset (a workspace admin resets a member's 2FA)",
    async arrange() {
      const workspace = await createWorkspace(app.deps, await createUser(app.deps));
      const admin = await createUser(app.deps);
      const member = await createUser(app.deps);
      await addMember(app.deps, workspace, admin, "admin");
      await addMember(app.deps, workspace, member, "member");
      await withTotp(member);
      const client = await signedInClient(app.baseUrl, admin);
      return {
        client,
        page: `/w/${workspace.slug}/members`,
        request: () => ({ path: `/w/${workspace.slug}/members/${member.id}/two-factor/reset`, fields: { confirmed: "yes" } }),
        state: () => userRow(member.id),
        changesState: true,
        reauth: byPassword(admin),
      };
    },
  },
  {
    name: "POST /admin/users/:id/password (an instance administrator sets a password)",
    async arrange() {
      const admin = await createUser(app.deps, { isInstanceAdmin: true });
      const user = await createUser(app.deps);
      const client = await signedInClient(app.baseUrl, admin);
      return {
        client,
        page: `/admin/users/${user.id}`,
        request: () => ({ path: `/admin/users/${user.id}/password`, fields: { confirmed: "yes", newPassword: CHANGED_PASSWORD, confirmPassword: CHANGED_PASSWORD } }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byPassword(admin),
      };
    },
  },
  {
    name: "POST /admin/users/:id/two-factor/reset (an instance administrator resets a user's 2FA)",
    async arrange() {
      const admin = await createUser(app.deps, { isInstanceAdmin: true });
      const user = await createUser(app.deps);
      await withTotp(user);
      const client = await signedInClient(app.baseUrl, admin);
      return {
        client,
        page: `/admin/users/${user.id}`,
        request: () => ({ path: `/admin/users/${user.id}/two-factor/reset`, fields: { confirmed: "yes" } }),
        state: () => userRow(user.id),
        changesState: true,
        reauth: byPassword(admin),
      };
    },
  },
  ...(["email", "phone"] as const).flatMap((channel) => [
    ...CONTACT_STEPS.map((step) => contactCase(channel, step)),
    contactCase(channel, "identity/verify", "password"),
  ]),
];

describe("a stale authentication (older than 15 minutes)", () => {
  for (const { name, arrange } of cases) it(`${name}: redirects to /reauth and changes nothing; after /reauth the same request goes through`, async () => {
    const arranged = await arrange();
    clock.advance(10 * MINUTE);
    await arranged.prepare?.();
    clock.advance(6 * MINUTE); // 16 minutes since the sign-in
    const before = await arranged.state();
    const { path, fields } = await arranged.request();
    const referer = { referer: `${app.baseUrl}${arranged.page}` };

    const stale = await arranged.client.post(path, fields, { headers: referer });
    expect(stale.status).toBe(303);
    expect(stale.location).toBe(`/reauth?return_to=${encodeURIComponent(arranged.page)}`);
    expect(await arranged.state()).toEqual(before);

    expect((await arranged.client.get(stale.location!)).status).toBe(200);
    const reauth = await arranged.client.post("/reauth", { ...arranged.reauth(), return_to: arranged.page });
    expect(reauth.location).toBe(arranged.page);
    const again = await arranged.client.post(path, fields, { headers: referer });
    expect(again.status).toBeLessThan(400);
    expect(again.location ?? "").not.toMatch(/^\/reauth/);
    if (arranged.changesState) expect(await arranged.state()).not.toEqual(before);
  });
});
