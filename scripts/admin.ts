// `npm run admin -- <command>`: the operator console (src/cli/admin.ts).
import { CommanderError } from "commander";
import { jobRegistry } from "../jobs/registry.js";
import { adminProgram } from "../src/cli/admin.js";
import { loadConfig } from "../src/config.js";
import { buildDeps } from "../src/platform/deps.js";
import { AppError } from "../src/platform/errors.js";
import { translateMessage, translatorFor } from "../src/platform/i18n.js";
import { createLogger } from "../src/platform/logger.js";

const config = loadConfig();
const deps = await buildDeps(config, { logger: createLogger("silent"), jobs: jobRegistry });
let code = 0;
try {
  await adminProgram(deps).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) code = error.exitCode;
  else if (error instanceof AppError) {
    // Services give locale keys; the console speaks English.
    console.error(`Refused: ${translateMessage(translatorFor("en"), error.message, error.details)}`);
    code = 1;
  } else {
    console.error(`Failed: ${(error as Error).message}`);
    code = 1;
  }
} finally {
  await deps.close();
}
process.exit(code);
