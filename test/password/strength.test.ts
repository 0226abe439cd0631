import { describe, expect, it } from "vitest";
import * as zxcvbnEnglish from "@zxcvbn-ts/language-en";
import { checkPassword, estimateStrength, MIN_STRENGTH_SCORE, zxcvbnTranslations } from "../../src/modules/password/strength.js";

// The policy without HTTP: the character-mix and username/email rules come
// first (their own words), then zxcvbn's dictionaries decide, and a score
// below 3 is refused with zxcvbn's own feedback as the message.
describe("checkPassword with zxcvbn", () => {
  it.each([
    ["a leaked password", "Password1", "This is a commonly used password."],
    ["l33t spelling of one", "P@ssw0rd123", "commonly used password"],
    ["a keyboard walk", "qwertyuiop123", "too easy to guess"],
    ["a word and a year", "Sunshine-2024", "similar to a commonly used password"],
    ["a repeat", "abcabcabc1", "too easy to guess"],
  ])("refuses %s with zxcvbn's feedback", (_case, password, feedback) => {
    const problem = checkPassword(password, {});
    expect(problem).toMatch(/^This password is too easy to guess\./);
    expect(problem).toContain(feedback);
    expect(estimateStrength(password).score).toBeLessThan(MIN_STRENGTH_SCORE);
  });

  it("accepts a strong passphrase", () => {
    expect(checkPassword("Correct-Horse-42", { username: "ada", email: "ada@example.com" })).toBeNull();
    expect(checkPassword("Unrelated-Horse-Staple-71", {})).toBeNull();
  });

  it("keeps the character-mix and username/email rules, with their own messages", () => {
    expect(checkPassword("abcdefghijklmnop", {})).toBe("Use at least two of: letters, digits, symbols.");
    expect(checkPassword("Zebra-Orbit-ada-91", { username: "ada" })).toBe("The password must not contain your username.");
    expect(checkPassword("Zebra-Orbit-lovelace-91", { email: "lovelace@example.com" })).toBe("The password must not contain your email address.");
  });

  it("speaks the reader's language: zxcvbn's feedback in Chinese, with a translation for every one of its keys", () => {
    expect(checkPassword("Password1", {}, undefined, "zh-CN")).toBe("此密码太容易被猜到。这是一个常用密码。 添加更多不常见的单词。 除首字母外，再将其他字母大写。");
    expect(checkPassword("abc", {}, undefined, "zh-CN")).toBe("请至少使用 8 个字符。");
    const zh = zxcvbnTranslations("zh-CN");
    const en = zxcvbnTranslations("en");
    for (const group of ["warnings", "suggestions", "timeEstimation"] as const) {
      expect(Object.keys(zh[group]).sort()).toEqual(Object.keys(zxcvbnEnglish.translations[group]).sort());
      expect(en[group]).toEqual(zxcvbnEnglish.translations[group]);
      for (const text of Object.values(zh[group])) expect(text).not.toMatch(/^password:|[a-z]{4,} [a-z]{4,}/);
    }
  });
});
