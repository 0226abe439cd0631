import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { users } from "../../src/modules/users/tables.js";
import { createUser, reloadUser, signedInClient, uniqueName } from "../helpers/factories.js";
import { databaseUrlFor, TEST_REDIS_URL } from "../helpers/env.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, testEnv, type TestApp } from "../helpers/test-app.js";
import { codeForSecret } from "../helpers/totp.js";
import { enableTotpFor } from "../helpers/two-factor.js";

// Each command runs as its own process (`node --import tsx scripts/admin.ts`),
// like `npm run admin -- …`, against the test app's database and Redis.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function runAdmin(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        ...testEnv({ DATABASE_URL: databaseUrlFor(app.databaseName), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: app.redisPrefix, DATA_DIR: app.deps.config.dataDir }),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const consoleEvents = () =>
  app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "admin.console_command"), eq(auditEvents.ip, "console")));

describe("npm run admin", () => {
  it("has --help for every command", async () => {
    const top = await runAdmin(["--help"]);
    expect(top.code).toBe(0);
    for (const command of ["create-admin", "reset-2fa", "set-password", "disable", "list-admins"]) expect(top.stdout).toContain(command);
    const sub = await runAdmin(["set-password", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("Set an account's password (prompted, or one line on standard input)");
    const unknown = await runAdmin(["drop-everything"]);
    expect(unknown.code).not.toBe(0);
  });

  it("create-admin takes the password from stdin (never argv), applies the policy, and is audited as the console", async () => {
    const username = uniqueName("ops");
    const weak = await runAdmin(["create-admin", "--username", username, "--email", `${username}@example.test`], "password\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("Refused:");
    expect(await app.deps.db.select().from(users).where(eq(users.username, username))).toEqual([]);

    const badName = await runAdmin(["create-admin", "--username", "no spaces", "--email", `${username}@example.test`], "Console-Made-55\n");
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain("Username: Use only letters, digits, _ and -.");
    const created = await runAdmin(["create-admin", "--username", username, "--email", `${username}@example.test`], "Console-Made-55\n");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created instance administrator ${username}`);
    const [user] = await app.deps.db.select().from(users).where(eq(users.username, username));
    expect(user!.isInstanceAdmin).toBe(true);
    expect((await new HttpClient(app.baseUrl).submit("/login", "/login", { login: username, password: "Console-Made-55" })).status).toBe(303);
    const [made] = await app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "admin.user_created"), eq(auditEvents.subjectId, user!.id)));
    expect(made!.actorId).toBeNull();
    expect(made!.details).toMatchObject({ via: "console" });
    expect((await consoleEvents()).some((event) => event.subjectId === user!.id && event.details.command === "create-admin")).toBe(true);

    const list = await runAdmin(["list-admins"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${username}\t${username}@example.test\t2FA off`);
  });

  it("set-password signs the account out everywhere; disable refuses the last active administrator but disables others", async () => {
    const user = await createUser(app.deps);
    const session = await signedInClient(app.baseUrl, user);
    const set = await runAdmin(["set-password", user.username], "Reset-From-Ops-38\n");
    expect(set.code, set.stderr).toBe(0);
    expect((await session.get("/settings/profile")).status).toBe(303);
    expect((await new HttpClient(app.baseUrl).submit("/login", "/login", { login: user.username, password: "Reset-From-Ops-38" })).status).toBe(303);

    const disabled = await runAdmin(["disable", user.email]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await reloadUser(app.deps, user.id)).status).toBe("locked");

    const unknown = await runAdmin(["disable", "nobody-here"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account has the username or email "nobody-here".');
  });

  it("the last administrator who lost the authenticator and backup codes gets back in: reset-2fa, password-only sign-in, enrolment again", async () => {
    const isolated = await startTestApp();
    const previous = app;
    app = isolated;
    try {
      const admin = await createUser(isolated.deps, { isInstanceAdmin: true });
      await enableTotpFor(isolated.deps, await reloadUser(isolated.deps, admin.id));
      // Without the second factor, sign-in stops at the second step.
      const stuck = await new HttpClient(isolated.baseUrl).submit("/login", "/login", { login: admin.username, password: admin.password });
      expect(stuck.location).toBe("/login/verify");
      // It is the last administrator: disabling it from the console is refused.
      const refused = await runAdmin(["disable", admin.username]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("This is the last instance administrator.");

      const reset = await runAdmin(["reset-2fa", admin.username]);
      expect(reset.code, reset.stderr).toBe(0);
      expect((await reloadUser(isolated.deps, admin.id)).totpEnabledAt).toBeNull();
      await isolated.mail.waitFor(admin.email, /two-factor/i);

      const client = new HttpClient(isolated.baseUrl);
      const signIn = await client.submit("/login", "/login", { login: admin.username, password: admin.password });
      expect(signIn.status).toBe(303);
      expect(signIn.location).not.toBe("/login/verify");
      expect((await client.get("/admin/users")).status).toBe(200);

      const setup = await client.get("/settings/security/two-factor/setup");
      const secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1]!.replace(/ /g, "");
      const enrolled = await client.post("/settings/security/two-factor/setup", { code: codeForSecret(secret, Date.now()) });
      expect(enrolled.status).toBe(200);
      expect((await reloadUser(isolated.deps, admin.id)).totpEnabledAt).not.toBeNull();

      const resetEvents = await isolated.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, "two_factor.reset_by_admin"), eq(auditEvents.subjectId, admin.id)));
      expect(resetEvents).toHaveLength(1);
      expect(resetEvents[0]!.ip).toBe("console");
      expect(resetEvents[0]!.actorId).toBeNull();
    } finally {
      app = previous;
      await isolated.close();
    }
  });
});
