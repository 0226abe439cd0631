import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { createUser } from "../helpers/factories.js";
import { HttpClient, type HttpResponse } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";

// SECURITY.md, one-time codes: "Second-factor failures are counted per
// account and per IP across sign-in attempts (a correct password never
// resets them): after 10 in 15 minutes the second step locks for 15 minutes
// and the owner is emailed." Five wrong codes end one sign-in attempt; the
// lock is about what happens across attempts.
//
// The app trusts the loopback proxy, so each test picks its client addresses
// with X-Forwarded-For and the per-IP and per-account counts stay apart.
// The clock stands still: the valid authenticator codes are known exactly.
const clock = manualClock(new Date("2026-11-23T09:00:10Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock, env: { TRUST_PROXY: "loopback" } });
});
afterAll(() => app.close());

type TestUser = Awaited<ReturnType<typeof createUser>>;

async function userWithTotp() {
  const user = await createUser(app.deps);
  const { secret } = await enableTotpFor(app.deps, user);
  return { user, secret };
}

// A 6-digit code that is none of the codes valid around now.
function wrongCodeFor(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((offset) => codeForSecret(secret, clock.now().getTime(), offset)));
  for (let candidate = 123456; ; candidate++) if (!valid.has(String(candidate))) return String(candidate);
}

interface Attempt {
  client: HttpClient;
  ip: string;
  password: HttpResponse;
}

// The password step, from `ip`, with the right password.
async function passwordStep(user: TestUser, ip: string): Promise<Attempt> {
  const client = new HttpClient(app.baseUrl);
  await client.get("/login");
  const password = await client.post("/login", { login: user.username, password: user.password }, { headers: { "x-forwarded-for": ip } });
  return { client, ip, password };
}

function verify(attempt: Attempt, code: string) {
  return attempt.client.post("/login/verify", { code }, { headers: { "x-forwarded-for": attempt.ip } });
}

async function isSignedIn(client: HttpClient) {
  return (await client.get("/settings/profile")).status === 200;
}

// Signs in with the password and sends `count` wrong codes in this one attempt.
async function wrongCodes(user: TestUser, secret: string, ip: string, count: number) {
  const attempt = await passwordStep(user, ip);
  expect(attempt.password.location, "the password step leads to the second step").toBe("/login/verify");
  for (let i = 0; i < count; i++) {
    const response = await verify(attempt, wrongCodeFor(secret));
    expect(response.status === 422 || response.status === 429 || response.location === "/login", `wrong code ${i + 1}: ${response.status} ${response.location}`).toBe(true);
  }
  expect(await isSignedIn(attempt.client)).toBe(false);
}

// The whole sign-in with the right password and the right code, from `ip`:
// the last answer and the message it showed. The code of the current step
// was used up by the enrolment, so the next step's code is the right one.
async function fullSignIn(user: TestUser, secret: string, ip: string, stepOffset = 1) {
  const attempt = await passwordStep(user, ip);
  let refusal: HttpResponse = attempt.password;
  if (attempt.password.location === "/login/verify") refusal = await verify(attempt, codeForSecret(secret, clock.now().getTime(), stepOffset));
  const signedIn = await isSignedIn(attempt.client);
  const shown = refusal.location === "/login" ? (await attempt.client.get("/login")).text : refusal.text;
  return { signedIn, refusal, shown };
}

describe("second-factor failures across sign-in attempts", () => {
  it("10 wrong authenticator codes over several attempts lock the second step, even for the right code, and the owner is emailed", async () => {
    const { user, secret } = await userWithTotp();
    // 5 + 3 + 2 wrong codes in three attempts from three addresses, each
    // attempt opened with the right password (which must not reset the count).
    await wrongCodes(user, secret, "203.0.113.10", 5);
    await wrongCodes(user, secret, "203.0.113.11", 3);
    await wrongCodes(user, secret, "203.0.113.12", 2);

    // From an address with no failures at all: only the account's count can refuse.
    const locked = await fullSignIn(user, secret, "198.51.100.7");
    expect(locked.signedIn).toBe(false);
    expect([303, 429]).toContain(locked.refusal.status);
    if (locked.refusal.status === 303) expect(locked.refusal.location).toBe("/login");
    expect(locked.shown).toMatch(/locked|paused/i);

    const mail = await app.mail.waitFor(user.email, /locked|paused/i);
    expect(mail.text).toMatch(/two-factor|second step|authenticator|verification|code/i);
  });

  it("9 wrong codes over two attempts do not lock: the right code still signs in", async () => {
    const { user, secret } = await userWithTotp();
    await wrongCodes(user, secret, "203.0.113.20", 5);
    await wrongCodes(user, secret, "203.0.113.21", 4);
    const result = await fullSignIn(user, secret, "203.0.113.22");
    expect(result.refusal.status).toBe(303);
    expect(result.signedIn).toBe(true);
  });

  it("10 wrong codes from one address for 10 different accounts lock the second step for that address", async () => {
    const ip = "192.0.2.77";
    const accounts = await Promise.all(Array.from({ length: 11 }, userWithTotp));
    for (const { user, secret } of accounts.slice(0, 10)) await wrongCodes(user, secret, ip, 1);

    const { user, secret } = accounts[10]!;
    const fromThatAddress = await fullSignIn(user, secret, ip);
    expect(fromThatAddress.signedIn).toBe(false);
    expect(fromThatAddress.shown).toMatch(/locked|paused|too many/i);
    // The account itself has no failures: from elsewhere it signs in (with
    // the code of the next 30 seconds, in case the refused one was used up).
    clock.advance(30_000);
    const fromElsewhere = await fullSignIn(user, secret, "192.0.2.78");
    expect(fromElsewhere.signedIn).toBe(true);
  });
});
