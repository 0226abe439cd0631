import { userInfo } from "node:os";
import { Command } from "commander";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { translateMessage, translatorFor } from "../platform/i18n.js";
import { recordEvent } from "../modules/audit/index.js";
import {
  adminEvents,
  consoleActor,
  createUserAsAdmin,
  disableUser,
  listActiveAdmins,
  resetTwoFactorAsAdmin,
  setPasswordAsAdmin,
  type AdminActor,
} from "../modules/admin/index.js";
import { checkPassword } from "../modules/password/index.js";
import { emailSchema, findUserByLogin, usernameSchema, type User } from "../modules/users/index.js";
import { readSecret } from "./prompt.js";

// The operator console: `npm run admin -- <command>`, on the same database
// and Redis as the server. It is the administrator of last resort (the last
// administrator who lost both the authenticator and the backup codes gets
// back in through it), so every command is recorded as done from the
// console, by the operating-system user who ran it.
export function adminProgram(deps: Deps, io: { out: (line: string) => void } = { out: (line) => console.log(line) }): Command {
  const operator = safeOperatorName();
  const actor: AdminActor = consoleActor(operator);
  const meta = { ip: "console", userAgent: `latchkey admin console (${operator})` };

  async function audit(command: string, subject: User | null) {
    await recordEvent(deps.db, adminEvents.consoleCommand(actor, command, subject?.id ?? null), meta, deps.clock.now());
  }

  async function findAccount(login: string): Promise<User> {
    const user = await findUserByLogin(deps.db, login);
    if (!user) throw new AppError(404, "NO_SUCH_ACCOUNT", { message: `No account has the username or email "${login}".` });
    return user;
  }

  async function newPassword(context: { username: string; email: string }): Promise<string> {
    const password = await readSecret("New password: ");
    const problem = checkPassword(password, context);
    if (problem) throw new AppError(422, "PASSWORD_POLICY", { message: problem });
    if (process.stdin.isTTY && (await readSecret("Repeat it: ")) !== password) throw new AppError(422, "PASSWORDS_DIFFER", { message: "The passwords do not match." });
    return password;
  }

  const program = new Command("admin")
    .description("Latchkey operator console: account recovery and administrator management. Passwords are prompted for, never passed as arguments.")
    .exitOverride()
    .showHelpAfterError();

  program
    .command("create-admin")
    .description("Create an instance administrator account (prompts for its password).")
    .requiredOption("--username <username>", "letters, digits, _ and -; 3 to 32")
    .requiredOption("--email <email>", "the administrator's email address")
    .action(async (raw: { username: string; email: string }) => {
      // The same input rules as the forms.
      const username = usernameSchema.safeParse(raw.username);
      if (!username.success) throw new AppError(422, "INVALID_USERNAME", { message: `Username: ${english(username.error.issues[0]!.message)}` });
      const email = emailSchema.safeParse(raw.email);
      if (!email.success) throw new AppError(422, "INVALID_EMAIL", { message: `Email: ${english(email.error.issues[0]!.message)}` });
      const options = { username: username.data, email: email.data };
      const password = await newPassword(options);
      const user = await createUserAsAdmin(
        deps,
        actor,
        { username: options.username, email: options.email, password, confirmPassword: password, mustChangePassword: false, isInstanceAdmin: true },
        meta,
      );
      await audit("create-admin", user);
      io.out(`Created instance administrator ${user.username} (${user.email}).`);
    });

  program
    .command("reset-2fa")
    .description("Turn off two-factor authentication of an account (username or email), e.g. for an administrator who lost the authenticator and the backup codes.")
    .argument("<user>", "username or email")
    .action(async (login: string) => {
      const user = await findAccount(login);
      await resetTwoFactorAsAdmin(deps, actor, user, meta);
      await audit("reset-2fa", user);
      io.out(`Two-factor authentication of ${user.username} is off. They sign in with the password alone and should enrol again at once.`);
    });

  program
    .command("set-password")
    .description("Set an account's password (prompted, or one line on standard input); signs out all its sessions.")
    .argument("<user>", "username or email")
    .action(async (login: string) => {
      const user = await findAccount(login);
      const password = await newPassword(user);
      const { signedOut } = await setPasswordAsAdmin(deps, actor, user, { newPassword: password, confirmPassword: password }, meta);
      await audit("set-password", user);
      io.out(`New password set for ${user.username}; ${signedOut} session(s) signed out.`);
    });

  program
    .command("disable")
    .description("Disable an account and sign out all its sessions (refused for the last active administrator).")
    .argument("<user>", "username or email")
    .action(async (login: string) => {
      const user = await disableUser(deps, actor, (await findAccount(login)).id, meta);
      await audit("disable", user);
      io.out(`${user.username} is disabled and signed out everywhere.`);
    });

  program
    .command("list-admins")
    .description("List the active instance administrators.")
    .action(async () => {
      const admins = await listActiveAdmins(deps.db);
      await audit("list-admins", null);
      for (const admin of admins) io.out(`${admin.username}\t${admin.email}\t2FA ${admin.totpEnabledAt ? "on" : "off"}`);
      if (admins.length === 0) io.out("No active instance administrator. Create one with: npm run admin -- create-admin --username <name> --email <address>");
    });

  return program;
}

// The schemas give locale keys; the console speaks English.
function english(message: string): string {
  return translateMessage(translatorFor("en"), message);
}

function safeOperatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
