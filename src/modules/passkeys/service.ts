import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Deps } from "../../platform/deps.js";
import { AppError, isUniqueViolation, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { findUserById, type User } from "../users/index.js";
import { challengeStore, newChallenge, relyingParty, type CeremonyPurpose } from "./ceremony.js";
import { passkeyEvents } from "./events.js";
import { passkeyPolicy } from "./policy.js";
import { countPasskeys, deletePasskey, findOwnPasskey, findPasskeyByCredentialId, insertPasskey, isNameTaken, listPasskeys, recordUse, renamePasskey } from "./repo.js";
import type { Passkey } from "./tables.js";

export type PasskeyDeps = Pick<Deps, "db" | "redis" | "config" | "clock">;

const store = (deps: PasskeyDeps) => challengeStore(deps.redis, deps.config.redisPrefix);
const nameTaken = (field = "name") => new AppError(409, "PASSKEY_NAME_TAKEN", { field, message: "passkeys:errors.nameTaken" });
// One answer for every failed assertion: it never tells whether a passkey or
// an account exists.
const notVerified = () => new AppError(422, "PASSKEY_NOT_VERIFIED", { field: "credential", message: "passkeys:errors.notVerified" });
const ceremonyExpired = () => new AppError(422, "PASSKEY_CEREMONY_EXPIRED", { field: "credential", message: "passkeys:errors.expired" });

function assertTrustedOrigin(deps: Pick<Deps, "config">) {
  const rp = relyingParty(deps.config);
  if (!rp.trusted) throw new AppError(409, "PASSKEYS_UNAVAILABLE", { message: "passkeys:errors.needsHttps" });
  return rp;
}

function parseJson<T>(raw: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw notVerified();
  }
}

// Step 1 of registering: the name is checked first, so a taken one is
// refused before the browser asks for a fingerprint.
export async function beginRegistration(deps: PasskeyDeps, user: User, name: string, sessionId: string) {
  const rp = assertTrustedOrigin(deps);
  if (await isNameTaken(deps.db, user.id, name)) throw nameTaken();
  const existing = await listPasskeys(deps.db, user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userID: new TextEncoder().encode(user.id),
    challenge: newChallenge(),
    attestationType: "none",
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await store(deps).keep("register", sessionId, { challenge: options.challenge, userId: user.id, name });
  return options;
}

// Step 2: the browser's answer, for this session's challenge only. Stored
// with its event (and the owner's notice) in one transaction.
export async function finishRegistration(deps: PasskeyDeps, user: User, rawResponse: string, sessionId: string, meta: RequestMeta): Promise<Passkey> {
  const rp = assertTrustedOrigin(deps);
  const pending = await store(deps).take<{ userId: string; name: string }>("register", sessionId);
  if (!pending || pending.userId !== user.id) throw ceremonyExpired();
  const response = parseJson<RegistrationResponseJSON>(rawResponse);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: pending.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch(() => ({ verified: false as const }));
  if (!verification.verified) throw notVerified();
  const { credential, aaguid, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const passkey = await insertPasskey(tx, {
        userId: user.id,
        name: pending.name,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: credential.transports ?? [],
        aaguid,
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        createdAt: now,
      });
      await recordEvent(tx, passkeyEvents.added(user, pending.name, deps.config.baseUrl), meta, now);
      return passkey;
    });
  } catch (error) {
    if (isUniqueViolation(error, "passkeys_user_name_key")) throw nameTaken();
    if (isUniqueViolation(error, "passkeys_credential_id_key")) throw new AppError(409, "PASSKEY_ALREADY_REGISTERED", { field: "credential", message: "passkeys:errors.alreadyRegistered" });
    throw error;
  }
}

// Options for an assertion. For a known account (second factor, step-up)
// only its passkeys are allowed; for sign-in the browser offers any
// discoverable passkey for this site.
export async function assertionOptions(deps: PasskeyDeps, purpose: Exclude<CeremonyPurpose, "register">, sessionId: string, user: User | null) {
  const rp = assertTrustedOrigin(deps);
  const allowed = user ? await listPasskeys(deps.db, user.id) : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: newChallenge(),
    userVerification: "required",
    allowCredentials: allowed.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
  });
  await store(deps).keep(purpose, sessionId, { challenge: options.challenge, userId: user?.id ?? null });
  return options;
}

// Checks an assertion against this session's challenge for `purpose`, with
// user verification, exact origin and RP id, and a counter that moves
// forward. Returns the account it proves.
export async function verifyAssertion(
  deps: PasskeyDeps,
  purpose: Exclude<CeremonyPurpose, "register">,
  sessionId: string,
  rawResponse: string,
  meta: RequestMeta,
): Promise<User> {
  const rp = assertTrustedOrigin(deps);
  const pending = await store(deps).take<{ userId: string | null }>(purpose, sessionId);
  if (!pending) throw ceremonyExpired();
  const response = parseJson<AuthenticationResponseJSON>(rawResponse);
  const passkey = typeof response?.id === "string" ? await findPasskeyByCredentialId(deps.db, response.id) : undefined;
  if (!passkey || (pending.userId && pending.userId !== passkey.userId)) throw notVerified();
  // The library would refuse a counter that did not move; the counter rule
  // is ours (policy.ts), so it is given 0 and checked below.
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: pending.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
    credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, "base64url"), counter: 0, transports: passkey.transports },
  }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
  if (!verification.verified || !verification.authenticationInfo) throw notVerified();
  const presented = verification.authenticationInfo.newCounter;
  const now = deps.clock.now();
  if (!passkeyPolicy.counterAcceptable(passkey.counter, presented) || !(await recordUse(deps.db, passkey.id, presented, now))) {
    await recordEvent(deps.db, passkeyEvents.counterRegressed(passkey.userId, passkey.name, passkey.counter, presented), meta, now);
    throw notVerified();
  }
  const user = await findUserById(deps.db, passkey.userId);
  if (!user || user.status !== "active") throw notVerified();
  return user;
}

export async function renameOwnPasskey(deps: PasskeyDeps, user: User, id: string, name: string, meta: RequestMeta): Promise<void> {
  const passkey = await findOwnPasskey(deps.db, user.id, id);
  if (!passkey) throw notFound();
  if (passkey.name === name) return;
  if (await isNameTaken(deps.db, user.id, name, id)) throw nameTaken("newName");
  await deps.db
    .transaction(async (tx) => {
      await renamePasskey(tx, user.id, id, name);
      await recordEvent(tx, passkeyEvents.renamed(user, passkey.name, name), meta, deps.clock.now());
    })
    .catch((error) => {
      throw isUniqueViolation(error, "passkeys_user_name_key") ? nameTaken("newName") : error;
    });
}

export async function removeOwnPasskey(deps: PasskeyDeps, user: User, id: string, meta: RequestMeta): Promise<Passkey> {
  const passkey = await findOwnPasskey(deps.db, user.id, id);
  if (!passkey) throw notFound();
  if (!passkeyPolicy.canDelete({ hasPassword: Boolean(user.passwordHash), passkeyCount: await countPasskeys(deps.db, user.id) })) {
    throw new AppError(409, "LAST_SIGN_IN_METHOD", { message: "passkeys:errors.lastMethod" });
  }
  await deps.db.transaction(async (tx) => {
    await deletePasskey(tx, user.id, id);
    await recordEvent(tx, passkeyEvents.removed(user, passkey.name), meta, deps.clock.now());
  });
  return passkey;
}
