import type { Deps } from "../../deps.js";
import { verifyPassword } from "../../platform/crypto/passwords.js";
import type { User } from "../users/tables.js";
import { AppError } from "../../platform/errors.js";
import { isTwoFactorEnabled, verifySecondFactor } from "../two-factor/service.js";

// One interface for every way to prove identity again (Kratos-style settings
// methods); passkeys add themselves here later.
// Decision: an account with two-factor authentication steps up with its
// second factor (authenticator or backup code) alone. The session already
// holds a password authentication; asking for the possession factor is the
// stronger check, and asking for both would make a TOTP user wait for a new
// 30-second code before the action itself.
export type ReauthDeps = Pick<Deps, "db" | "config" | "clock" | "queues">;

export interface ReauthMethod {
  id: string;
  label: string;
  fields: Array<{ name: string; label: string; type: string; autocomplete: string }>;
  isAvailableFor(user: User): boolean;
  verify(deps: ReauthDeps, user: User, input: Record<string, string>): Promise<boolean>;
}

export const passwordMethod: ReauthMethod = {
  id: "password",
  label: "Password",
  fields: [{ name: "password", label: "Password", type: "password", autocomplete: "current-password" }],
  isAvailableFor: (user) => Boolean(user.passwordHash) && !isTwoFactorEnabled(user),
  verify: async (_deps, user, input) => Boolean(user.passwordHash && input.password && (await verifyPassword(user.passwordHash, input.password))),
};

async function acceptsSecondFactor(deps: ReauthDeps, user: User, proof: { kind: "totp" | "backup"; code: string }): Promise<boolean> {
  try {
    await verifySecondFactor(deps, user, proof, { ip: "", userAgent: "" });
    return true;
  } catch (error) {
    if (error instanceof AppError && error.status === 422) return false;
    throw error;
  }
}

export const totpMethod: ReauthMethod = {
  id: "totp",
  label: "Authenticator code",
  fields: [{ name: "code", label: "Authenticator code", type: "text", autocomplete: "one-time-code" }],
  isAvailableFor: isTwoFactorEnabled,
  verify: (deps, user, input) => acceptsSecondFactor(deps, user, { kind: "totp", code: input.code ?? "" }),
};

export const backupCodeMethod: ReauthMethod = {
  id: "backup_code",
  label: "Backup code",
  fields: [{ name: "backupCode", label: "Backup code", type: "text", autocomplete: "off" }],
  isAvailableFor: isTwoFactorEnabled,
  verify: (deps, user, input) => acceptsSecondFactor(deps, user, { kind: "backup", code: input.backupCode ?? "" }),
};

export const reauthMethods: ReauthMethod[] = [passwordMethod, totpMethod, backupCodeMethod];

export function availableMethods(user: User): ReauthMethod[] {
  return reauthMethods.filter((method) => method.isAvailableFor(user));
}
