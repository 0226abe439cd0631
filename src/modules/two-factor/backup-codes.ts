import { createHmac, randomInt } from "node:crypto";

export const BACKUP_CODE_COUNT = 10;

const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

// 10 characters from a 31-letter alphabet (~50 bits), shown as xxxxx-xxxxx.
export function generateBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export function normalizeBackupCode(input: string): string {
  return input.toLowerCase().replace(/[^a-z0-9]/g, "");
}

// Keyed hash: codes are random, so no slow hash is needed, but a database dump
// alone must not allow offline guessing.
export function hashBackupCode(secretKey: string, code: string): string {
  return createHmac("sha256", secretKey).update(`backup-code:${normalizeBackupCode(code)}`).digest("hex");
}
