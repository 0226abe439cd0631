// Takes the README's screenshots: the security page at desktop width and on
// a phone (docs/security-settings.png, docs/security-settings-phone.png).
//
//   npx tsx scripts/screenshots.ts
//
// Starts its own app on the embedded database (PGlite, in a temporary data
// directory) and the local Redis (its own key prefix, removed afterwards),
// creates the first administrator through /setup and a second signed-in
// session, then photographs the page in Debian's Chromium (CHROMIUM_PATH,
// default /usr/bin/chromium) with playwright-core.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { chromium, type Browser } from "playwright-core";
import { jobRegistry } from "../jobs/registry.js";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/platform/db.js";
import { buildDeps } from "../src/platform/deps.js";
import { createLogger } from "../src/platform/logger.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN = { username: "ada", email: "ada@example.com", password: "Difference-Engine-1843" };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-screenshots-"));
  const redisPrefix = `latchkey-screenshots-${randomBytes(4).toString("hex")}:`;
  const { DATABASE_URL: _unused, ...env } = process.env;
  const config = loadConfig({ ...env, NODE_ENV: "development", LOG_LEVEL: "silent", DATA_DIR: dataDir, REDIS_PREFIX: redisPrefix, SECRET_KEY: randomBytes(32).toString("hex") });
  const database = await openDatabase({ dataDir: config.dataDir });
  await database.migrate();
  await database.close();
  const deps = await buildDeps(config, { logger: createLogger("silent"), jobs: jobRegistry });
  const server = createApp(deps).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });

    const desktop = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1200, height: 900 }, colorScheme: "light", userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36" });
    const page = await desktop.newPage();
    await page.goto("/setup");
    await page.fill("input[name=username]", ADMIN.username);
    await page.fill("input[name=email]", ADMIN.email);
    await page.fill("input[name=password]", ADMIN.password);
    await page.fill("input[name=confirmPassword]", ADMIN.password);
    await page.fill("input[name=workspaceName]", "Analytical Engines");
    await page.locator("form[action='/setup'] button[type=submit]").click();
    await page.waitForURL("**/w/analytical-engines");

    // A second session, on a phone, so the sessions table has two rows.
    const phone = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: "light",
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    });
    const phonePage = await phone.newPage();
    await phonePage.goto("/login");
    await phonePage.fill("input[name=login]", ADMIN.username);
    await phonePage.fill("input[name=password]", ADMIN.password);
    await phonePage.locator("form[action='/login'] button[type=submit]").click();
    await phonePage.waitForURL((url) => !url.pathname.startsWith("/login"));

    await page.goto("/settings/security");
    await page.screenshot({ path: path.join(root, "docs/security-settings.png") });
    await phonePage.goto("/settings/security");
    await phonePage.screenshot({ path: path.join(root, "docs/security-settings-phone.png") });
    console.log("wrote docs/security-settings.png and docs/security-settings-phone.png");
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const keys = await deps.redis.keys(`${redisPrefix}*`);
    if (keys.length) await deps.redis.del(...keys);
    await deps.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
