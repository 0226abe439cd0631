import { generateSecret, generateURI, verify } from "otplib";

// RFC 6238 as SECURITY.md sets it: SHA-1, 6 digits, 30 s steps, ±1 step,
// 160-bit secrets. The caller stores the accepted step; a code for that step
// or an earlier one is refused (replay).
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_ISSUER = "Latchkey";

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountName: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountName, secret, algorithm: "sha1", digits: 6, period: TOTP_PERIOD_SECONDS });
}

// Returns the matched time step, or null when the code is wrong, outside ±1
// step, or not newer than the last accepted step.
export async function matchTotp(secret: string, code: string, nowMs: number, lastUsedStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    algorithm: "sha1",
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
  }).catch(() => ({ valid: false as const }));
  return result.valid ? (result as { timeStep: number }).timeStep : null;
}
