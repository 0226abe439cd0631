import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEnglish from "@zxcvbn-ts/language-en";

// zxcvbn-ts with its common and English dictionaries: tens of thousands of
// leaked passwords, names, words, keyboard patterns, l33t variants, dates
// and repeats. Built once: it is pure data, the same for every request.
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEnglish.translations,
});

// zxcvbn scores 0 (guessed at once) to 4; below 3 is refused (about 10^8
// guesses, what an offline attack on a leaked fast hash gets through).
export const MIN_STRENGTH_SCORE = 3;

export interface StrengthEstimate {
  score: number;
  // zxcvbn's warning and suggestions, in English.
  feedback: string;
}

export function estimateStrength(password: string, userInputs: string[] = []): StrengthEstimate {
  const result = zxcvbn.check(password, userInputs.filter(Boolean));
  const feedback = [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string => Boolean(text)).join(" ");
  return { score: result.score, feedback };
}

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
  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) return "The password must not contain your username.";
  const localPart = context.email?.split("@")[0]?.trim().toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) return "The password must not contain your email address.";
  // The dictionary check decides, on the server; the meter in the browser
  // (public/js/password-strength.js) runs the same estimate as a hint only.
  const strength = estimateStrength(password, [context.username ?? "", context.email ?? "", localPart ?? ""]);
  if (strength.score < MIN_STRENGTH_SCORE) return `This password is too easy to guess. ${strength.feedback || "Add more words or characters."}`.trim();
  return null;
}
