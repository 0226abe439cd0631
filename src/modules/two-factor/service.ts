import type { Db } from "../../db/client.js";
import type { Deps } from "../../deps.js";
import { AppError } from "../../platform/errors.js";
import { createSecretBox } from "../../platform/crypto/secret-box.js";
import { enqueueMail } from "../../platform/queue.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import type { User } from "../users/tables.js";
import { generateBackupCodes, hashBackupCode, LOW_BACKUP_CODES } from "./backup-codes.js";
import { claimTotpStep, clearTotp, consumeBackupCode, countUnusedBackupCodes, replaceBackupCodes, saveTotp } from "./repo.js";
import { matchTotp, newTotpSecret, totpUri } from "./totp.js";

type TwoFactorDeps = Pick<Deps, "db" | "config" | "clock">;

export function totpBox(deps: Pick<Deps, "config">) {
  return createSecretBox(deps.config.secretKey, "totp-secret");
}

export function isTwoFactorEnabled(user: User): boolean {
  return Boolean(user.totpEnabledAt && user.totpSecretEncrypted);
}

// Enrolment keeps the candidate secret sealed in the server session: the form
// never carries it, so a code can only enable exactly the secret shown.
export function beginEnrolment(deps: Pick<Deps, "config">): string {
  return totpBox(deps).seal(newTotpSecret());
}

export function enrolmentView(deps: Pick<Deps, "config">, user: User, sealedSecret: string) {
  const secret = totpBox(deps).open(sealedSecret);
  return { secret, uri: totpUri(secret, `${user.username}`) };
}

export async function confirmEnrolment(deps: TwoFactorDeps, user: User, sealedSecret: string | undefined, code: string, meta: RequestMeta): Promise<string[]> {
  if (isTwoFactorEnabled(user)) throw new AppError(409, "TWO_FACTOR_ALREADY_ENABLED", { message: "Two-factor authentication is already on." });
  if (!sealedSecret) throw new AppError(409, "ENROLMENT_EXPIRED", { message: "This setup expired. Start again." });
  const secret = totpBox(deps).open(sealedSecret);
  const now = deps.clock.now();
  const step = await matchTotp(secret, code, now.getTime(), null);
  if (step === null) throw new AppError(422, "TOTP_INVALID", { field: "code", message: "That code is not correct. Check the time on your device and try the current code." });
  const codes = generateBackupCodes();
  await deps.db.transaction(async (tx) => {
    // Re-sealed so the stored ciphertext never equals the session's copy.
    await saveTotp(tx, user.id, { secretEncrypted: totpBox(deps).seal(secret), step, at: now });
    await replaceBackupCodes(tx, user.id, codes.map((backup) => hashBackupCode(deps.config.secretKey, backup)));
    await recordAudit(tx, { action: "two_factor.enabled", actorId: user.id, subjectId: user.id }, meta);
    await notify(tx, deps, user, "Two-factor authentication was turned on", "Two-factor authentication is now on for your Latchkey account.", meta);
  });
  return codes;
}

export type SecondFactorProof = { kind: "totp"; code: string } | { kind: "backup"; code: string };

export interface SecondFactorResult {
  usedBackupCode: boolean;
  backupCodesLeft: number | null;
}

// Checks a TOTP code (once per time step, also under concurrency) or a
// backup code (single use, logged and emailed). Throws TOTP_INVALID /
// BACKUP_CODE_INVALID on a wrong code; callers count their own attempts.
export async function verifySecondFactor(deps: TwoFactorDeps, user: User, proof: SecondFactorProof, meta: RequestMeta): Promise<SecondFactorResult> {
  if (!isTwoFactorEnabled(user)) throw new AppError(409, "TWO_FACTOR_NOT_ENABLED", { message: "Two-factor authentication is not on." });
  const now = deps.clock.now();
  if (proof.kind === "totp") {
    const secret = totpBox(deps).open(user.totpSecretEncrypted!);
    const step = await matchTotp(secret, proof.code, now.getTime(), user.totpLastUsedStep);
    if (step === null || !(await claimTotpStep(deps.db, user.id, step))) {
      throw new AppError(422, "TOTP_INVALID", { field: "code", message: "That code is not correct or was already used. Wait for the next code." });
    }
    return { usedBackupCode: false, backupCodesLeft: null };
  }
  const used = await consumeBackupCode(deps.db, user.id, hashBackupCode(deps.config.secretKey, proof.code), now);
  if (!used) throw new AppError(422, "BACKUP_CODE_INVALID", { field: "backupCode", message: "That backup code is not valid or was already used." });
  const left = await countUnusedBackupCodes(deps.db, user.id);
  await recordAudit(deps.db, { action: "two_factor.backup_code_used", actorId: user.id, subjectId: user.id, details: { remaining: left } }, meta);
  await notify(deps.db, deps, user, "A backup code was used to sign in", `A backup code was used for your Latchkey account. ${left} backup codes remain.`, meta);
  return { usedBackupCode: true, backupCodesLeft: left };
}

export async function regenerateBackupCodes(deps: TwoFactorDeps, user: User, meta: RequestMeta): Promise<string[]> {
  if (!isTwoFactorEnabled(user)) throw new AppError(409, "TWO_FACTOR_NOT_ENABLED", { message: "Two-factor authentication is not on." });
  const codes = generateBackupCodes();
  await deps.db.transaction(async (tx) => {
    await replaceBackupCodes(tx, user.id, codes.map((backup) => hashBackupCode(deps.config.secretKey, backup)));
    await recordAudit(tx, { action: "two_factor.backup_codes_regenerated", actorId: user.id, subjectId: user.id }, meta);
  });
  return codes;
}

export async function disableTwoFactor(deps: TwoFactorDeps, user: User, proof: SecondFactorProof, meta: RequestMeta): Promise<void> {
  await verifySecondFactor(deps, user, proof, meta);
  await deps.db.transaction(async (tx) => {
    await clearTotp(tx, user.id, deps.clock.now());
    await recordAudit(tx, { action: "two_factor.disabled", actorId: user.id, subjectId: user.id }, meta);
    await notify(tx, deps, user, "Two-factor authentication was turned off", "Two-factor authentication was turned off for your Latchkey account.", meta);
  });
}

// An administrator's reset: the user signs in with the password alone next
// time and can enrol again.
export async function resetTwoFactor(deps: TwoFactorDeps, actorId: string, user: User, workspaceId: string | null, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await clearTotp(tx, user.id, deps.clock.now());
    await recordAudit(tx, { action: "two_factor.reset_by_admin", actorId, subjectId: user.id, workspaceId }, meta);
    await notify(tx, deps, user, "Your two-factor authentication was reset", "An administrator reset two-factor authentication on your Latchkey account. Set it up again from your security settings.", meta);
  });
}

export function backupCodesWarning(left: number | null): string | null {
  if (left === null) return null;
  if (left === 0) return "You have no backup codes left. Generate new ones now.";
  return left <= LOW_BACKUP_CODES ? `Only ${left} backup codes left. Generate new ones soon.` : null;
}

// `db` is the transaction that makes the change, so the notice is committed with it.
async function notify(db: Db, deps: TwoFactorDeps, user: User, subject: string, body: string, meta: RequestMeta) {
  await enqueueMail(db, {
    to: user.email,
    subject,
    text: `Hi ${user.username},\n\n${body}\nTime: ${deps.clock.now().toISOString()}\nIP address: ${meta.ip}\n\nIf this was not you, secure your account at ${deps.config.baseUrl}/settings/security.\n`,
  });
}
