import type { Deps } from "../../platform/deps.js";
import { translatorFor } from "../../platform/i18n.js";
import { AppError, isUniqueViolation } from "../../platform/errors.js";
import { verifyPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { discardCode, sendCode, verifyCode, type CodeTarget } from "../codes/index.js";
import type { User } from "../users/index.js";
import type { ContactChannel } from "./channels.js";

// The bind/change flow for one contact channel, as a small state machine kept
// in the session:
//   bind (nothing verified yet):  new -> code -> done
//   change (a verified value):    identity -> new -> code -> done
// Nothing switches until the new value is verified with its own code.
export interface ContactFlow {
  stage: "identity" | "new" | "code";
  target?: string;
  identityVerifiedAt?: number;
  identityCodeSent?: boolean;
  resendAtMs?: number;
}

type ContactDeps = Pick<Deps, "db" | "redis" | "config" | "clock" | "queues">;

const IDENTITY_WINDOW_MS = 10 * 60_000;

const purposeOf = (channel: ContactChannel, user: User, step: "identity" | "new") =>
  step === "identity" ? `${channel.id}:identity` : `${channel.id}:${channel.isVerified(user) ? "change" : "bind"}`;

function codeTarget(channel: ContactChannel, user: User, step: "identity" | "new", target: string): CodeTarget {
  return { userId: user.id, purpose: purposeOf(channel, user, step), channel: channel.codeChannel, target };
}

// In the account's saved language (an email's first line is its subject).
function composeCode(channel: ContactChannel, step: "identity" | "new", user: User) {
  const t = translatorFor(user.language);
  const why = t(`contact:codeMail.why.${step}${channel.id === "email" ? "Email" : "Phone"}`);
  return (code: string) => t(channel.codeChannel === "email" ? "contact:codeMail.email" : "contact:codeMail.sms", { why, code });
}

export function startFlow(channel: ContactChannel, user: User): ContactFlow {
  return { stage: channel.isVerified(user) ? "identity" : "new" };
}

export async function sendIdentityCode(deps: ContactDeps, channel: ContactChannel, user: User, flow: ContactFlow | undefined): Promise<ContactFlow> {
  const current = channel.current(user);
  if (flow?.stage !== "identity" || !current || !channel.isVerified(user)) throw flowExpired();
  const { resendAtMs } = await sendCode(deps, codeTarget(channel, user, "identity", current), composeCode(channel, "identity", user));
  return { ...flow, identityCodeSent: true, resendAtMs };
}

// Step 1 of a change: a code sent to the current value, or the password for
// local accounts whose current address or phone can no longer be reached.
export async function verifyIdentity(
  deps: ContactDeps,
  channel: ContactChannel,
  user: User,
  flow: ContactFlow | undefined,
  proof: { code?: string; password?: string },
): Promise<ContactFlow> {
  if (flow?.stage !== "identity") throw flowExpired();
  if (proof.password !== undefined) {
    if (!user.passwordHash || !(await verifyPassword(user.passwordHash, proof.password))) {
      throw new AppError(401, "PASSWORD_INCORRECT", { field: "password", message: "contact:errors.passwordIncorrect" });
    }
  } else {
    await verifyCode(deps, codeTarget(channel, user, "identity", channel.current(user)!), proof.code ?? "");
  }
  return { stage: "new", identityVerifiedAt: deps.clock.now().getTime() };
}

export async function sendNewValueCode(
  deps: ContactDeps,
  channel: ContactChannel,
  user: User,
  flow: ContactFlow | undefined,
  rawValue: unknown,
): Promise<ContactFlow> {
  const current = flow ?? startFlow(channel, user);
  if (current.stage === "identity") throw flowExpired();
  if (channel.isVerified(user) && !identityStillFresh(deps, current)) throw flowExpired();
  const value = current.stage === "code" && rawValue === undefined ? current.target! : channel.parse(rawValue);
  if (channel.isVerified(user) && channel.current(user)?.toLowerCase() === value.toLowerCase()) {
    throw new AppError(422, "CONTACT_UNCHANGED", { field: "value", message: channel.id === "email" ? "contact:errors.unchangedEmail" : "contact:errors.unchangedPhone" });
  }
  await assertAvailable(deps, channel, user, value);
  const { resendAtMs } = await sendCode(deps, codeTarget(channel, user, "new", value), composeCode(channel, "new", user));
  return { stage: "code", target: value, resendAtMs, identityVerifiedAt: current.identityVerifiedAt };
}

export async function confirmNewValue(
  deps: ContactDeps,
  channel: ContactChannel,
  user: User,
  flow: ContactFlow | undefined,
  code: string,
  meta: RequestMeta,
): Promise<string> {
  if (flow?.stage !== "code" || !flow.target) throw flowExpired();
  if (channel.isVerified(user) && !identityStillFresh(deps, flow)) throw flowExpired();
  await verifyCode(deps, codeTarget(channel, user, "new", flow.target), code);
  await assertAvailable(deps, channel, user, flow.target);
  const previous = channel.isVerified(user) ? channel.current(user) : null;
  const now = deps.clock.now();
  const event = previous ? channel.changedEvent(user, previous, flow.target, deps.config.baseUrl) : channel.boundEvent(user);
  try {
    await deps.db.transaction(async (tx) => {
      await channel.save(tx, user.id, flow.target!, now);
      await recordEvent(tx, event, meta, now);
    });
  } catch (error) {
    if (isUniqueViolation(error, channel.uniqueIndex)) throw taken(channel);
    throw error;
  }
  return flow.target;
}

export async function cancelFlow(deps: ContactDeps, channel: ContactChannel, user: User): Promise<void> {
  await Promise.all(
    (["identity", "new"] as const).map((step) => discardCode(deps, { userId: user.id, purpose: purposeOf(channel, user, step) })),
  );
}

function identityStillFresh(deps: Pick<Deps, "clock">, flow: ContactFlow): boolean {
  return Boolean(flow.identityVerifiedAt && deps.clock.now().getTime() - flow.identityVerifiedAt <= IDENTITY_WINDOW_MS);
}

async function assertAvailable(deps: Pick<Deps, "db">, channel: ContactChannel, user: User, value: string) {
  if (await channel.isTakenByOther(deps.db, value, user.id)) throw taken(channel);
}

// Says that it is taken, never by whom.
const taken = (channel: ContactChannel) =>
  new AppError(409, "CONTACT_TAKEN", { field: "value", message: channel.id === "email" ? "contact:errors.takenEmail" : "contact:errors.takenPhone" });

const flowExpired = () =>
  new AppError(409, "CONTACT_FLOW_EXPIRED", { message: "contact:errors.expired" });
