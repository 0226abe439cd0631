import { z } from "zod";
import type { JobDefinition, JobDeps } from "../../platform/jobs/index.js";
import type { Db } from "../../platform/db.js";
import { deleteKeys } from "../../platform/redis.js";
import { recordEvent } from "../audit/index.js";
import { discardAllCodes } from "../codes/index.js";
import { closeOpenTicketsBy, detachTicketAuthorBatch } from "../tickets/index.js";
import { cancellationEvents } from "./events.js";
import { findCancellation, findUser, markPurgeStep, markTicketsClosed, purgeBatches } from "./repo.js";

const payloadSchema = z.object({ userId: z.uuid() });
type Payload = z.infer<typeof payloadSchema>;

export const PURGE_BATCH_SIZE = 500;
export const TICKET_CLOSED_NOTE = "Closed automatically: the account that opened this ticket was cancelled.";

// Runs `batch` until a round removes nothing: each round is its own short
// statement, so a large account never holds long locks, and a worker killed
// between rounds resumes where the rows say it stopped.
async function drain(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    total += n;
    if (n === 0) return total;
  }
}

// Redis: contact codes and their send count (the codes module's keys) and the
// session index with the sessions it lists (already dead by the epoch). Key
// by key, so it also works in a Redis Cluster.
async function purgeRedis(deps: JobDeps, userId: string): Promise<void> {
  const prefix = deps.config.redisPrefix;
  await discardAllCodes(deps, userId);
  const index = `${prefix}user-sessions:${userId}`;
  const sids = await deps.redis.zrange(index, 0, -1);
  await deleteKeys(deps.redis, [...sids.map((sid) => `${prefix}sess:${sid}`), index]);
}

// Steps in order; each is idempotent, and the cancellation row records the
// last one finished (the status page shows it). A retry simply runs them all
// again: the finished ones find nothing left to do.
export const purgeSteps: ReadonlyArray<{ name: string; label: string; run(deps: JobDeps, userId: string, email: string): Promise<unknown> }> = [
  { name: "redis", label: "Sign-in sessions and pending codes", run: (deps, userId) => purgeRedis(deps, userId) },
  { name: "avatar", label: "Avatar", run: (deps, userId) => purgeBatches.avatar(deps.db, userId) },
  { name: "passkeys", label: "Passkeys", run: (deps, userId) => drain(() => purgeBatches.passkeys(deps.db, userId, PURGE_BATCH_SIZE)) },
  { name: "tokens", label: "Access tokens", run: (deps, userId) => drain(() => purgeBatches.tokens(deps.db, userId, PURGE_BATCH_SIZE)) },
  { name: "backup-codes", label: "Backup codes", run: (deps, userId) => drain(() => purgeBatches.backupCodes(deps.db, userId, PURGE_BATCH_SIZE)) },
  { name: "password-resets", label: "Password reset links", run: (deps, userId) => drain(() => purgeBatches.passwordResets(deps.db, userId, PURGE_BATCH_SIZE)) },
  { name: "invitations", label: "Invitations to your address", run: (deps, userId, email) => drain(() => purgeBatches.invitations(deps.db, userId, email, PURGE_BATCH_SIZE)) },
  { name: "devices", label: "Known devices and notice preferences", run: (deps, userId) => purgeBatches.devicesAndPreferences(deps.db, userId) },
  { name: "tickets", label: "Your name on tickets (they now show “Cancelled user”)", run: (deps, userId) => closeThenDetachTickets(deps, userId) },
  { name: "audit", label: "IP addresses and browsers in the activity log", run: (deps, userId) => drain(() => purgeBatches.auditDetails(deps.db, userId, PURGE_BATCH_SIZE)) },
  { name: "profile", label: "Email address, phone number and profile", run: (deps, userId) => purgeBatches.userRow(deps.db, userId, deps.clock.now()) },
];

// Open tickets are closed before their author is detached: close-tickets runs
// in parallel and finds tickets by author, so this order loses none.
async function closeThenDetachTickets(deps: JobDeps, userId: string): Promise<void> {
  await closeTickets(deps, userId);
  await drain(() => detachTicketAuthorBatch(deps.db, userId, PURGE_BATCH_SIZE));
}

async function closeTickets(deps: JobDeps, userId: string): Promise<void> {
  const at = deps.clock.now();
  await closeOpenTicketsBy(deps.db, userId, at, TICKET_CLOSED_NOTE);
  await markTicketsClosed(deps.db, userId, at);
}

export const purgeAccountJob: JobDefinition<Payload> = {
  name: "purge-account",
  queue: "accounts",
  schema: payloadSchema,
  async perform(deps, { userId }) {
    const cancellation = await findCancellation(deps.db, userId);
    // Only a cancelled account is ever purged; a finished purge is not redone.
    if (!cancellation || cancellation.purgeCompletedAt) return;
    const user = await findUser(deps.db, userId);
    if (!user || user.status !== "cancelled") return;
    const lastStep = purgeSteps.at(-1)!;
    for (const step of purgeSteps) {
      await step.run(deps, userId, user.email);
      if (step !== lastStep) await markPurgeStep(deps.db, userId, step.name, null);
    }
    // The completion and its record commit together: a retry after a crash
    // here redoes the (idempotent) steps and records it once.
    const at = deps.clock.now();
    await deps.db.transaction(async (tx) => {
      await markPurgeStep(tx, userId, lastStep.name, at);
      // A job's database handle is typed loosely (any schema); it is the same pool.
      await recordEvent(tx as unknown as Db, cancellationEvents.purgeCompleted(userId, purgeSteps.map((s) => s.name)), undefined, at);
    });
  },
};

// Closes what the account left open. It runs as soon as the cancellation is
// relayed, which is always before the promised deadline (recorded on the
// cancellation as tickets_close_by); each ticket gets a note saying why.
export const closeTicketsJob: JobDefinition<Payload> = {
  name: "close-tickets",
  queue: "accounts",
  schema: payloadSchema,
  async perform(deps, { userId }) {
    const cancellation = await findCancellation(deps.db, userId);
    if (!cancellation) return;
    await closeTickets(deps, userId);
  },
};

export const cancellationJobs = [purgeAccountJob, closeTicketsJob];
