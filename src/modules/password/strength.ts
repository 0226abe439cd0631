import { COMMON_PASSWORDS } from "./common-passwords.js";

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  // At least two of letters / digits / symbols; instance admins may turn it off.
  requireCharacterMix: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128, requireCharacterMix: true };

// Returns the first broken rule as a sentence for the form, or null. The
// password is never truncated or case-folded; only the comparisons fold case.
export function checkPassword(
  password: string,
  context: { username?: string; email?: string },
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): string | null {
  const length = [...password].length;
  if (length < policy.minLength) return `Use at least ${policy.minLength} characters.`;
  if (length > policy.maxLength) return `Use at most ${policy.maxLength} characters.`;
  if (policy.requireCharacterMix) {
    const kinds = [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((kind) => kind.test(password)).length;
    if (kinds < 2) return "Use at least two of: letters, digits, symbols.";
  }
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return "This password is too common. Choose another.";
  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) return "The password must not contain your username.";
  const localPart = context.email?.split("@")[0]?.trim().toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) return "The password must not contain your email address.";
  return null;
}
