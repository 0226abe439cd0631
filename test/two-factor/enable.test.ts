import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { manualClock } from "../../src/platform/clock.js";
import { users } from "../../src/modules/users/tables.js";
import { backupCodes } from "../../src/modules/two-factor/tables.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { codeForSecret, totpCodeFor } from "../helpers/totp.js";

const clock = manualClock(new Date("2026-11-23T09:00:10Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

function secretFrom(html: string): string {
  return /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(html)![1]!.replace(/ /g, "");
}

function backupCodesFrom(html: string): string[] {
  return [...html.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((match) => match[1]!);
}

async function enableTwoFactor(target: TestApp, client: HttpClient) {
  const setup = await client.get("/settings/security/two-factor/setup");
  const secret = secretFrom(setup.text);
  const done = await client.post("/settings/security/two-factor/setup", { code: codeForSecret(secret, clock.now().getTime()) });
  return { secret, codes: backupCodesFrom(done.text), page: done };
}

async function signInWithPassword(user: { username: string; password: string }) {
  const client = new HttpClient(app.baseUrl);
  const response = await client.submit("/login", "/login", { login: user.username, password: user.password });
  return { client, response };
}

describe("enabling two-factor authentication", () => {
  it("shows a QR code, the otpauth URI and the key; a correct code enables it and shows 10 backup codes once", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const setup = await client.get("/settings/security/two-factor/setup");
    expect(setup.status).toBe(200);
    expect(setup.text).toMatch(/<img class="qr" src="data:image\/png;base64,/);
    expect(setup.text).toContain(`otpauth://totp/Latchkey:${user.username}?`);
    expect(setup.text).toContain("issuer=Latchkey");
    const secret = secretFrom(setup.text);
    expect(Buffer.from(secret, "utf8").length).toBe(32); // base32 of 160 bits

    const wrong = await client.post("/settings/security/two-factor/setup", { code: "000000" });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("That code is not correct.");
    expect((await app.deps.db.select().from(users).where(eq(users.id, user.id)))[0]!.totpEnabledAt).toBeNull();

    const done = await client.post("/settings/security/two-factor/setup", { code: codeForSecret(secret, clock.now().getTime()) });
    expect(done.status).toBe(200);
    expect(done.headers.get("cache-control")).toBe("no-store");
    const codes = backupCodesFrom(done.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(done.text).toContain('download="latchkey-backup-codes.txt"');

    const security = await client.get("/settings/security");
    expect(security.text).toContain("Backup codes left: <strong data-testid=\"backup-codes-left\">10</strong>");
    for (const code of codes) expect(security.text).not.toContain(code);
    const stored = await app.deps.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id));
    expect(stored).toHaveLength(10);
    for (const row of stored) expect(codes.some((code) => row.codeHash.includes(code))).toBe(false);
    await app.mail.waitFor(user.email, /Two-factor authentication was turned on/);
  });

  it("enables only the secret that was shown: the form cannot carry another one", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const shown = secretFrom((await client.get("/settings/security/two-factor/setup")).text);
    const attackerSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const response = await client.post("/settings/security/two-factor/setup", { code: codeForSecret(attackerSecret, clock.now().getTime()), secret: attackerSecret });
    expect(response.status).toBe(422);
    await client.post("/settings/security/two-factor/setup", { code: codeForSecret(shown, clock.now().getTime()) });
    expect(await totpCodeFor(app.deps, user.id)).toBe(codeForSecret(shown, clock.now().getTime()));
  });

  it("needs a fresh authentication", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    clock.advance(16 * 60_000);
    const response = await client.get("/settings/security/two-factor/setup");
    expect(response.location).toBe("/reauth?return_to=%2Fsettings%2Fsecurity%2Ftwo-factor%2Fsetup");
  });
});

describe("signing in with two-factor authentication", () => {
  it("asks for the authenticator code after the password and signs in only then", async () => {
    const user = await createUser(app.deps);
    await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    clock.advance(30_000);
    const { client, response } = await signInWithPassword(user);
    expect(response.location).toBe("/login/verify");
    expect((await client.get("/settings/profile")).location).toMatch(/^\/login/);
    const page = await client.get("/login/verify");
    expect(page.text).toContain("Authentication code");
    const ok = await client.post("/login/verify", { code: await totpCodeFor(app.deps, user.id) });
    expect(ok.status).toBe(303);
    expect((await client.get("/settings/profile")).status).toBe(200);
  });

  it("accepts the previous and next 30 s step, not two steps away", async () => {
    const user = await createUser(app.deps);
    await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    for (const [offset, accepted] of [[-1, true], [1, true], [-2, false], [2, false]] as const) {
      clock.advance(90_000);
      const { client } = await signInWithPassword(user);
      const response = await client.post("/login/verify", { code: await totpCodeFor(app.deps, user.id, offset) });
      expect(response.status, `offset ${offset}`).toBe(accepted ? 303 : 422);
    }
  });

  it("ends the challenge after 5 wrong codes: the password must be entered again", async () => {
    const user = await createUser(app.deps);
    await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    clock.advance(30_000);
    const { client } = await signInWithPassword(user);
    const right = await totpCodeFor(app.deps, user.id);
    const wrong = right === "123456" ? "654321" : "123456";
    for (let i = 1; i <= 4; i++) {
      const response = await client.post("/login/verify", { code: wrong });
      expect(response.status).toBe(422);
      expect(response.text).toContain(`${5 - i} ${5 - i === 1 ? "try" : "tries"} left`);
    }
    const fifth = await client.post("/login/verify", { code: wrong });
    expect(fifth.location).toBe("/login");
    expect((await client.get("/login")).text).toContain("Too many wrong codes. Enter your password again.");
    expect((await client.post("/login/verify", { code: right })).location).toBe("/login");
  });

  it("signs in with a backup code once, tells how many remain and emails a notice", async () => {
    const user = await createUser(app.deps);
    const { codes } = await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    const first = await signInWithPassword(user);
    const ok = await first.client.post("/login/verify", { backupCode: codes[0]!.toUpperCase() });
    expect(ok.status).toBe(303);
    const landing = await first.client.get("/settings/security");
    expect(landing.text).toContain("Signed in with a backup code. 9 left.");
    expect(landing.text).toContain("Set up my authenticator again");
    await app.mail.waitFor(user.email, /A backup code was used/);

    const second = await signInWithPassword(user);
    const reused = await second.client.post("/login/verify", { backupCode: codes[0]! });
    expect(reused.status).toBe(422);
    expect(reused.text).toContain("That backup code is not valid or was already used.");
  });

  it("warns when 3 or fewer backup codes are left", async () => {
    const user = await createUser(app.deps);
    const { codes } = await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    let client!: HttpClient;
    for (const code of codes.slice(0, 7)) {
      ({ client } = await signInWithPassword(user));
      await client.post("/login/verify", { backupCode: code });
    }
    expect((await client.get("/settings/security")).text).toContain("Only 3 backup codes left. Generate new ones soon.");
  });
});

describe("managing two-factor authentication", () => {
  it("regenerating backup codes voids the old set", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const { codes } = await enableTwoFactor(app, client);
    const regenerated = await client.post("/settings/security/two-factor/backup-codes", { confirmed: "yes" });
    const fresh = backupCodesFrom(regenerated.text);
    expect(fresh).toHaveLength(10);
    expect(regenerated.text).toContain("Your previous codes no longer work.");
    const old = await signInWithPassword(user);
    expect((await old.client.post("/login/verify", { backupCode: codes[1]! })).status).toBe(422);
    const now = await signInWithPassword(user);
    expect((await now.client.post("/login/verify", { backupCode: fresh[1]! })).status).toBe(303);
  });

  it("disables with a current code, emails a notice, and the next sign-in needs the password only", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await enableTwoFactor(app, client);
    clock.advance(30_000);
    await client.get("/settings/security");
    const wrong = await client.post("/settings/security/two-factor/disable", { confirmed: "yes", code: "000000" });
    expect(wrong.status).toBe(422);
    const ok = await client.post("/settings/security/two-factor/disable", { confirmed: "yes", code: await totpCodeFor(app.deps, user.id) });
    expect(ok.status).toBe(303);
    await app.mail.waitFor(user.email, /turned off/);
    expect((await signInWithPassword(user)).response.location).toBe("/");
    expect(await app.deps.db.select().from(backupCodes).where(eq(backupCodes.userId, user.id))).toHaveLength(0);
  });

  it("disables with a backup code when the device is lost; an empty form says what is needed", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    const { codes } = await enableTwoFactor(app, client);
    await client.get("/settings/security");
    const empty = await client.post("/settings/security/two-factor/disable", { confirmed: "yes", code: "", backupCode: "" });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('id="field-code-error">Enter the code from your authenticator app, or a backup code.<');
    const ok = await client.post("/settings/security/two-factor/disable", { confirmed: "yes", code: "", backupCode: codes[4]! });
    expect(ok.status).toBe(303);
    expect((await signInWithPassword(user)).response.location).toBe("/");
  });

  it("after a backup-code sign-in the user can set up a new authenticator directly", async () => {
    const user = await createUser(app.deps);
    const { codes, secret } = await enableTwoFactor(app, await signedInClient(app.baseUrl, user));
    const { client } = await signInWithPassword(user);
    await client.post("/login/verify", { backupCode: codes[2]! });
    await client.get("/settings/security");
    const reenrol = await client.post("/settings/security/two-factor/reenrol", {});
    expect(reenrol.location).toBe("/settings/security/two-factor/setup");
    const setup = await client.get(reenrol.location!);
    const newSecret = secretFrom(setup.text);
    expect(newSecret).not.toBe(secret);
    const done = await client.post("/settings/security/two-factor/setup", { code: codeForSecret(newSecret, clock.now().getTime()) });
    expect(backupCodesFrom(done.text)).toHaveLength(10);
  });

  it("re-enrolment without a backup-code sign-in is refused", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await enableTwoFactor(app, client);
    await client.get("/settings/security");
    expect((await client.post("/settings/security/two-factor/reenrol", {})).status).toBe(403);
  });

  it("a user with 2FA steps up with an authenticator code", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await enableTwoFactor(app, client);
    clock.advance(16 * 60_000);
    const page = await client.get("/reauth?return_to=/settings/security");
    expect(page.text).toContain("Confirm with authenticator code");
    expect(page.text).not.toContain('name="password"');
    const ok = await client.post("/reauth", { method: "totp", code: await totpCodeFor(app.deps, user.id), return_to: "/settings/security" });
    expect(ok.location).toBe("/settings/security");
  });
});
