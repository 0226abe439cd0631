import { translateMessage, translatorFor } from "../../platform/i18n.js";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEnglish from "@zxcvbn-ts/language-en";

// zxcvbn-ts with its common and English dictionaries: tens of thousands of
// leaked passwords, names, words, keyboard patterns, l33t variants, dates
// and repeats. Built once: it is pure data, the same for every request.
// Its feedback comes out as locale keys (password:zxcvbn.*, in English and
// Chinese for every one of zxcvbn's translation keys): the message is
// translated for whoever reads it (the error handler, or checkPassword's
// language), and the browser's meter gets the same texts from the page
// (zxcvbnTranslations).
const asKeys = (group: Record<string, string>, prefix: string) => Object.fromEntries(Object.keys(group).map((key) => [key, `password:zxcvbn.${prefix}.${key}`]));
const KEY_TRANSLATIONS = {
  warnings: asKeys(zxcvbnEnglish.translations.warnings, "warnings"),
  suggestions: asKeys(zxcvbnEnglish.translations.suggestions, "suggestions"),
  timeEstimation: asKeys(zxcvbnEnglish.translations.timeEstimation, "timeEstimation"),
} as typeof zxcvbnEnglish.translations;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: KEY_TRANSLATIONS,
});

// zxcvbn's translations option in one language (for the browser's meter).
export function zxcvbnTranslations(language: string | null | undefined): typeof zxcvbnEnglish.translations {
  const t = translatorFor(language);
  const group = (keys: Record<string, string>) => Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, t(key)]));
  return { warnings: group(KEY_TRANSLATIONS.warnings), suggestions: group(KEY_TRANSLATIONS.suggestions), timeEstimation: group(KEY_TRANSLATIONS.timeEstimation) } as typeof zxcvbnEnglish.translations;
}

// zxcvbn scores 0 (guessed at once) to 4; below 3 is refused (about 10^8
// guesses, what an offline attack on a leaked fast hash gets through).
export const MIN_STRENGTH_SCORE = 3;

export interface StrengthEstimate {
  score: number;
  // zxcvbn's warning and suggestions as locale keys.
  advice: string[];
}

export function estimateStrength(password: string, userInputs: string[] = []): StrengthEstimate {
  const result = zxcvbn.check(password, userInputs.filter(Boolean));
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string => Boolean(text));
  return { score: result.score, advice };
}

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  // At least two of letters / digits / symbols; instance admins may turn it off.
  requireCharacterMix: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128, requireCharacterMix: true };

// A broken rule: a locale key and its variables (an AppError's message and details).
export interface PasswordProblem {
  message: string;
  details?: Record<string, unknown>;
}

// Returns the first broken rule, or null. The password is never truncated or
// case-folded; only the comparisons fold case.
export function findPasswordProblem(
  password: string,
  context: { username?: string; email?: string },
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): PasswordProblem | null {
  const length = [...password].length;
  if (length < policy.minLength) return { message: "password:strength.tooShort", details: { min: policy.minLength } };
  if (length > policy.maxLength) return { message: "password:strength.tooLong", details: { max: policy.maxLength } };
  if (policy.requireCharacterMix) {
    const kinds = [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((kind) => kind.test(password)).length;
    if (kinds < 2) return { message: "password:strength.mix" };
  }
  const lowered = password.toLowerCase();
  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= 3 && lowered.includes(username)) return { message: "password:strength.noUsername" };
  const localPart = context.email?.split("@")[0]?.trim().toLowerCase();
  if (localPart && localPart.length >= 3 && lowered.includes(localPart)) return { message: "password:strength.noEmail" };
  // The dictionary check decides, on the server; the meter in the browser
  // (public/js/password-strength.js) runs the same estimate as a hint only.
  const strength = estimateStrength(password, [context.username ?? "", context.email ?? "", localPart ?? ""]);
  if (strength.score < MIN_STRENGTH_SCORE) return { message: "password:strength.tooEasy", details: { advice: strength.advice.length > 0 ? strength.advice : ["password:strength.addMore"] } };
  return null;
}

// The same, as text in `language` (English by default: the operator console, tests).
export function checkPassword(
  password: string,
  context: { username?: string; email?: string },
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
  language?: string | null,
): string | null {
  const problem = findPasswordProblem(password, context, policy);
  return problem ? translateMessage(translatorFor(language), problem.message, problem.details) : null;
}
