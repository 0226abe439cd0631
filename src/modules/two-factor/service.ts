import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { createSecretBox } from "../../platform/crypto/secret-box.js";
import type { RequestMeta } from "../../web/context.js";
import type { KeepSession } from "../../web/sign-in/session-auth.js";
import { recordEvent } from "../audit/index.js";
import type { User } from "../users/index.js";
import { generateBackupCodes, hashBackupCode } from "./backup-codes.js";
import { twoFactorEvents } from "./events.js";
import { claimTotpStep, clearTotp, consumeBackupCode, countUnusedBackupCodes, replaceBackupCodes, saveTotp } from "./repo.js";
import { matchTotp, newTotpSecret, totpUri } from "./totp.js";

export type TwoFactorDeps = Pick<Deps, "db" | "config" | "clock">;

export function totpBox(deps: Pick<Deps, "config">) {
  return createSecretBox(deps.config.secretKey, "totp-secret");
}

export function isTwoFactorEnabled(user: Pick<User, "totpEnabledAt" | "totpSecretEncrypted">): boolean {
  return Boolean(user.totpEnabledAt && user.totpSecretEncrypted);
}

const notEnabled = () => new AppError(409, "TWO_FACTOR_NOT_ENABLED", { message: "two-factor:errors.notEnabled" });

// Enrolment keeps the candidate secret sealed in the server session: the form
// never carries it, so a code can only enable exactly the secret shown.
export function beginEnrolment(deps: Pick<Deps, "config">): string {
  return totpBox(deps).seal(newTotpSecret());
}

export function enrolmentView(deps: Pick<Deps, "config">, user: User, sealedSecret: string) {
  const secret = totpBox(deps).open(sealedSecret);
  return { secret, uri: totpUri(secret, `${user.username}`) };
}

// A new factor is a privilege change: `keepSession` gives this session a new
// id before the change commits (after the commit nothing can fail).
export async function confirmEnrolment(deps: TwoFactorDeps, user: User, sealedSecret: string | undefined, code: string, meta: RequestMeta, keepSession: KeepSession): Promise<string[]> {
  if (isTwoFactorEnabled(user)) throw new AppError(409, "TWO_FACTOR_ALREADY_ENABLED", { message: "two-factor:errors.alreadyEnabled" });
  if (!sealedSecret) throw new AppError(409, "ENROLMENT_EXPIRED", { message: "two-factor:errors.setupExpired" });
  const secret = totpBox(deps).open(sealedSecret);
  const now = deps.clock.now();
  const step = await matchTotp(secret, code, now.getTime(), null);
  if (step === null) throw new AppError(422, "TOTP_INVALID", { field: "code", message: "two-factor:errors.totpSetupInvalid" });
  const codes = generateBackupCodes();
  await keepSession(now);
  await deps.db.transaction(async (tx) => {
    // Re-sealed so the stored ciphertext never equals the session's copy.
    await saveTotp(tx, user.id, { secretEncrypted: totpBox(deps).seal(secret), step, at: now });
    await replaceBackupCodes(tx, user.id, codes.map((backup) => hashBackupCode(deps.config.secretKey, backup)));
    await recordEvent(tx, twoFactorEvents.enabled(user, deps.config.baseUrl), meta, now);
  });
  return codes;
}

// A TOTP code is accepted once per time step, also under concurrency (the
// step is claimed with a conditional UPDATE). Throws TOTP_INVALID when wrong.
export async function verifyTotp(deps: TwoFactorDeps, user: User, code: string): Promise<void> {
  if (!isTwoFactorEnabled(user)) throw notEnabled();
  const secret = totpBox(deps).open(user.totpSecretEncrypted!);
  const step = await matchTotp(secret, code, deps.clock.now().getTime(), user.totpLastUsedStep);
  if (step === null || !(await claimTotpStep(deps.db, user.id, step))) {
    throw new AppError(422, "TOTP_INVALID", { field: "code", message: "two-factor:errors.totpInvalid" });
  }
}

// A backup code works once; using one is recorded and mailed in the same
// transaction that uses it up. Returns how many are left.
export async function useBackupCode(deps: TwoFactorDeps, user: User, code: string, meta: RequestMeta): Promise<number> {
  if (!isTwoFactorEnabled(user)) throw notEnabled();
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const used = await consumeBackupCode(tx, user.id, hashBackupCode(deps.config.secretKey, code), now);
    if (!used) throw new AppError(422, "BACKUP_CODE_INVALID", { field: "backupCode", message: "two-factor:errors.backupInvalid" });
    const left = await countUnusedBackupCodes(tx, user.id);
    await recordEvent(tx, twoFactorEvents.backupCodeUsed(user, left, deps.config.baseUrl), meta, now);
    return left;
  });
}

export type SecondFactorProof = { kind: "totp"; code: string } | { kind: "backup"; code: string };

async function verifyProof(deps: TwoFactorDeps, user: User, proof: SecondFactorProof, meta: RequestMeta): Promise<void> {
  if (proof.kind === "totp") await verifyTotp(deps, user, proof.code);
  else await useBackupCode(deps, user, proof.code, meta);
}

export async function regenerateBackupCodes(deps: TwoFactorDeps, user: User, meta: RequestMeta): Promise<string[]> {
  if (!isTwoFactorEnabled(user)) throw notEnabled();
  const codes = generateBackupCodes();
  await deps.db.transaction(async (tx) => {
    await replaceBackupCodes(tx, user.id, codes.map((backup) => hashBackupCode(deps.config.secretKey, backup)));
    await recordEvent(tx, twoFactorEvents.backupCodesRegenerated(user), meta);
  });
  return codes;
}

// The current code (or a backup code) is itself the fresh proof here.
export async function disableTwoFactor(deps: TwoFactorDeps, user: User, proof: SecondFactorProof, meta: RequestMeta, keepSession: KeepSession): Promise<void> {
  await verifyProof(deps, user, proof, meta);
  const now = deps.clock.now();
  await keepSession(now);
  await deps.db.transaction(async (tx) => {
    await clearTotp(tx, user.id, now);
    await recordEvent(tx, twoFactorEvents.disabled(user, deps.config.baseUrl), meta, now);
  });
}

// After signing in with a backup code because the device is lost: the old
// authenticator is removed so a new one can be set up without a code from it.
export async function startReenrolment(deps: TwoFactorDeps, user: User, signedInWithBackupCode: boolean, meta: RequestMeta): Promise<void> {
  if (!signedInWithBackupCode) {
    throw new AppError(403, "REENROL_NEEDS_BACKUP_SIGN_IN", { message: "two-factor:errors.reenrolNeedsBackup" });
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await clearTotp(tx, user.id, now);
    await recordEvent(tx, twoFactorEvents.resetByUser(user, deps.config.baseUrl), meta, now);
  });
}

// An administrator's reset: the user signs in with the password alone next
// time and can enrol again.
export async function resetTwoFactor(deps: TwoFactorDeps, actorId: string, user: User, workspaceId: string | null, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await clearTotp(tx, user.id, now);
    await recordEvent(tx, twoFactorEvents.resetByAdmin(actorId, user, workspaceId, deps.config.baseUrl), meta, now);
  });
}
