import type { Deps } from "../../src/platform/deps.js";
import type { User } from "../../src/modules/users/tables.js";
import { beginEnrolment, confirmEnrolment, totpBox } from "../../src/modules/two-factor/service.js";
import { codeForSecret } from "./totp.js";

// Turns on TOTP for a user through the service (no HTTP), returning the
// secret and the backup codes, for tests that start from "2FA is on"
// (no browser session to keep).
export async function enableTotpFor(deps: Deps, user: User): Promise<{ secret: string; backupCodes: string[] }> {
  const sealed = beginEnrolment(deps);
  const secret = totpBox(deps).open(sealed);
  const backupCodes = await confirmEnrolment(deps, user, sealed, codeForSecret(secret, deps.clock.now().getTime()), { ip: "127.0.0.1", userAgent: "test" }, async () => {});
  return { secret, backupCodes };
}

// Signs in through both steps; `stepOffset` picks a not-yet-used time step.
export async function signedInWithTotp(baseUrl: string, deps: Deps, user: { username: string; password: string }, secret: string, stepOffset = 1) {
  const { HttpClient } = await import("./http-client.js");
  const client = new HttpClient(baseUrl);
  const first = await client.submit("/login", "/login", { login: user.username, password: user.password });
  if (first.location !== "/login/verify") throw new Error(`expected the second step, got ${first.status} ${first.location}`);
  const second = await client.post("/login/verify", { code: codeForSecret(secret, deps.clock.now().getTime(), stepOffset) });
  if (second.status !== 303) throw new Error(`second step failed with ${second.status}`);
  await client.get("/settings/profile"); // picks up the new session's CSRF token
  return client;
}
