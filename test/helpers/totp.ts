import { eq } from "drizzle-orm";
import { generateSync } from "otplib";
import type { Deps } from "../../src/platform/deps.js";
import { users } from "../../src/modules/users/tables.js";
import { totpBox } from "../../src/modules/two-factor/service.js";

// Computes the authenticator code from the secret stored for a user (the
// test plays the phone app). `offsetSteps` moves it by 30 s steps.
export async function totpCodeFor(deps: Pick<Deps, "db" | "config" | "clock">, userId: string, offsetSteps = 0): Promise<string> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId));
  if (!user?.totpSecretEncrypted) throw new Error("user has no TOTP secret");
  return codeForSecret(totpBox(deps).open(user.totpSecretEncrypted), deps.clock.now().getTime(), offsetSteps);
}

export function codeForSecret(secret: string, nowMs: number, offsetSteps = 0): string {
  return generateSync({ secret: secret.replace(/\s+/g, ""), epoch: Math.floor(nowMs / 1000) + offsetSteps * 30 });
}
