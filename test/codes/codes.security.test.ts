import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { AppError } from "../../src/platform/errors.js";
import { sendCode, verifyCode, type CodeTarget } from "../../src/modules/codes/service.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { codeIn, startTestApp, type TestApp } from "../helpers/test-app.js";

const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

let counter = 0;
function target(overrides: Partial<CodeTarget> = {}): CodeTarget {
  counter++;
  return { userId: crypto.randomUUID(), purpose: "email:bind", channel: "email", target: `codes-${counter}@example.test`, ...overrides };
}

async function issue(t: CodeTarget): Promise<string> {
  let code = "";
  await sendCode(app.deps, t, (generated) => {
    code = generated;
    return `Your Latchkey verification code\n\n${generated}`;
  });
  return code;
}

async function codeError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "ACCEPTED";
}

const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("one-time codes", () => {
  it("are 6 digits and stored only as a keyed hash", async () => {
    const t = target();
    const code = await issue(t);
    expect(code).toMatch(/^\d{6}$/);
    const stored = await app.deps.redis.hgetall(`${app.redisPrefix}code:{${t.userId}}:${t.purpose}`);
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(stored.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuse the 6th try even with the right code", async () => {
    const t = target();
    const code = await issue(t);
    for (let i = 0; i < 4; i++) expect(await codeError(verifyCode(app.deps, t, other(code)))).toBe("CODE_INVALID");
    expect(await codeError(verifyCode(app.deps, t, other(code)))).toBe("CODE_TOO_MANY_ATTEMPTS");
    expect(await codeError(verifyCode(app.deps, t, code))).toBe("CODE_EXPIRED");
  });

  it("work once, also when two submissions race", async () => {
    const t = target();
    const code = await issue(t);
    const results = await Promise.all([verifyCode(app.deps, t, code), verifyCode(app.deps, t, code), verifyCode(app.deps, t, code)].map(codeError));
    expect(results.filter((result) => result === "ACCEPTED")).toHaveLength(1);
    expect(await codeError(verifyCode(app.deps, t, code))).toBe("CODE_EXPIRED");
  });

  it("are bound to their target and purpose", async () => {
    const t = target();
    const code = await issue(t);
    expect(await codeError(verifyCode(app.deps, { ...t, target: "someone-else@example.test" }, code))).toBe("CODE_INVALID");
    expect(await codeError(verifyCode(app.deps, { ...t, purpose: "email:change" }, code))).toBe("CODE_EXPIRED");
    expect(await codeError(verifyCode(app.deps, { ...t, userId: crypto.randomUUID() }, code))).toBe("CODE_EXPIRED");
    expect(await codeError(verifyCode(app.deps, t, code))).toBe("ACCEPTED");
  });

  it("expire after 10 minutes", async () => {
    const t = target();
    const code = await issue(t);
    clock.advance(10 * 60_000 + 1);
    expect(await codeError(verifyCode(app.deps, t, code))).toBe("CODE_EXPIRED");
  });

  it("can be sent once per 60 s per target and 10 times per hour per account", async () => {
    const t = target();
    await issue(t);
    expect(await codeError(issue(t))).toBe("CODE_RESEND_TOO_SOON");
    expect(await codeError(issue({ ...t, userId: crypto.randomUUID() }))).toBe("CODE_RESEND_TOO_SOON");
    clock.advance(60_000);
    await issue(t);

    const userId = crypto.randomUUID();
    for (let i = 0; i < 10; i++) await issue(target({ userId }));
    expect(await codeError(issue(target({ userId })))).toBe("CODE_HOURLY_LIMIT");
    clock.advance(60 * 60_000 + 1);
    expect(await codeError(issue(target({ userId })))).toBe("ACCEPTED");
  });

  it("a new code replaces the previous one", async () => {
    const t = target();
    const first = await issue(t);
    clock.advance(60_000);
    const second = await issue(t);
    if (first !== second) expect(await codeError(verifyCode(app.deps, t, first))).toBe("CODE_INVALID");
    expect(await codeError(verifyCode(app.deps, t, second))).toBe("ACCEPTED");
  });

  it("over HTTP, the 6th wrong submission is refused and the bind does not happen", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    const address = `brute-${user.username}@example.test`;
    await client.post("/settings/profile/email/send", { value: address });
    const code = codeIn((await app.mail.waitFor(address, /verification code/)).text);
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await client.post("/settings/profile/email/confirm", { code: other(code) });
      const match = /\d (tries|try) left|Too many wrong codes/.exec(response.text);
      expect(match, response.text).not.toBeNull();
      statuses.push(match![0]);
    }
    expect(statuses).toEqual(["4 tries left", "3 tries left", "2 tries left", "1 try left", "Too many wrong codes"]);
    const sixth = await client.post("/settings/profile/email/confirm", { code });
    expect(sixth.text).toContain("This code has expired or was already used. Request a new one.");
  });
});
