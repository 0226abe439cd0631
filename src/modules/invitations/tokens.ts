import { createHash, randomBytes } from "node:crypto";

export const INVITATION_TTL_MS = 7 * 86_400_000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

// 256 random bits in the link; only the SHA-256 is stored, so a database
// leak gives no usable link. A plain hash is enough for that much entropy.
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export const isWellFormedInvitationToken = (token: string) => TOKEN_PATTERN.test(token);
