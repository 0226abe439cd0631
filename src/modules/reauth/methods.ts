import type { Deps } from "../../deps.js";
import { verifyPassword } from "../../platform/crypto/passwords.js";
import type { User } from "../users/tables.js";
import type { RequestMeta } from "../audit/service.js";
import { AppError } from "../../platform/errors.js";
import { isTwoFactorEnabled, verifySecondFactor } from "../two-factor/service.js";

// One interface for every way to prove identity again (Kratos-style settings
// methods); passkeys add themselves here later.
// Decision: an account with two-factor authentication steps up with its
// second factor (authenticator or backup code) alone. The session already
// holds a password authentication; asking for the possession factor is the
// stronger check, and asking for both would make a TOTP user wait for a new
// 30-second code before the action itself.
export type ReauthDeps = Pick<Deps, "db" | "config" | "clock">;

export interface ReauthMethod {
  id: string;
  label: string;
  fields: Array<{ name: string; label: string; type: string; autocomplete: string }>;
  isAvailableFor(user: User): boolean;
  verify(deps: ReauthDeps, user: User, input: Record<string, string>, meta: RequestMeta): Promise<boolean>;
}

export const passwordMethod: ReauthMethod = {
  id: "password",
  label: "Password",
  fields: [{ name: "password", label: "Password", type: "password", autocomplete: "current-password" }],
  isAvailableFor: (user) => Boolean(user.passwordHash) && !isTwoFactorEnabled(user),
  verify: async (_deps, user, input) => Boolean(user.passwordHash && input.password && (await verifyPassword(user.passwordHash, input.password))),
};

// The authenticator and backup codes step up through the same check as the
// second sign-in step (replay-proof, single use, logged).
function secondFactorMethod(id: string, label: string, field: string, kind: "totp" | "backup"): ReauthMethod {
  return {
    id,
    label,
    fields: [{ name: field, label, type: "text", autocomplete: kind === "totp" ? "one-time-code" : "off" }],
    isAvailableFor: isTwoFactorEnabled,
    async verify(deps, user, input, meta) {
      try {
        await verifySecondFactor(deps, user, { kind, code: input[field] ?? "" }, meta);
        return true;
      } catch (error) {
        if (error instanceof AppError && error.status === 422) return false;
        throw error;
      }
    },
  };
}

export const totpMethod = secondFactorMethod("totp", "Authenticator code", "code", "totp");
export const backupCodeMethod = secondFactorMethod("backup_code", "Backup code", "backupCode", "backup");

export const reauthMethods: ReauthMethod[] = [passwordMethod, totpMethod, backupCodeMethod];

export function availableMethods(user: User): ReauthMethod[] {
  return reauthMethods.filter((method) => method.isAvailableFor(user));
}
