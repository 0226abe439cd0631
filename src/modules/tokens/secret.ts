import { createHash, randomBytes } from "node:crypto";

// "lk_" + 32 bytes (256 bits) from the CSPRNG, base64url: the prefix lets
// people and secret scanners recognise a Latchkey token.
export const TOKEN_PREFIX = "lk_";
const TOKEN_SHAPE = /^lk_[A-Za-z0-9_-]{43}$/;

export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

// Stored and looked up by SHA-256: a 256-bit random secret needs no slow
// hash, and an indexed lookup by hash leaks nothing through timing.
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function looksLikeToken(candidate: string): boolean {
  return TOKEN_SHAPE.test(candidate);
}
