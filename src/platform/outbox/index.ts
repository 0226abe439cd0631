export { enqueueJob, outboxInsert, OUTBOX_CHANNEL } from "./enqueue.js";
export { startOutboxRelay, type OutboxRelay, type RelayOptions } from "./relay.js";
export { setOutboxSecretKey } from "./sealing.js";
export { outbox, type OutboxRow } from "./tables.js";
