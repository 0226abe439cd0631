import type { Deps } from "../../deps.js";
import { verifyPassword } from "../../platform/crypto/passwords.js";
import type { User } from "../users/tables.js";

// One interface for every way to prove identity again (Kratos-style settings
// methods). Password is here now; TOTP and passkeys register themselves later
// by adding an entry to the list below.
export interface ReauthMethod {
  id: string;
  label: string;
  fields: Array<{ name: string; label: string; type: string; autocomplete: string }>;
  isAvailableFor(user: User): boolean;
  verify(deps: Pick<Deps, "db">, user: User, input: Record<string, string>): Promise<boolean>;
}

export const passwordMethod: ReauthMethod = {
  id: "password",
  label: "Password",
  fields: [{ name: "password", label: "Password", type: "password", autocomplete: "current-password" }],
  isAvailableFor: (user) => Boolean(user.passwordHash),
  verify: async (_deps, user, input) => Boolean(user.passwordHash && input.password && (await verifyPassword(user.passwordHash, input.password))),
};

export const reauthMethods: ReauthMethod[] = [passwordMethod];

export function availableMethods(user: User): ReauthMethod[] {
  return reauthMethods.filter((method) => method.isAvailableFor(user));
}
