import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// A folder of JSON files standing in for a real mail server or SMS gateway
// in development (shown on /dev/mailbox) and in tests (the catchers).
// Not to be confused with the transactional outbox (platform/outbox/), which
// holds jobs until they reach the queue.
export interface OutboxEntry {
  id: string;
  sentAt: string;
}

// With a key (the job id) the file is named by it, so a second delivery of the
// same job overwrites the first instead of adding a duplicate. The file is
// written aside and renamed, so a process killed mid-write leaves no torn JSON.
export function writeToOutbox<T extends object>(directory: string, message: T, key?: string): void {
  mkdirSync(directory, { recursive: true });
  const sentAt = new Date();
  const id = key ? key.replace(/[^\w-]/g, "_") : `${sentAt.getTime()}-${randomBytes(4).toString("hex")}`;
  const file = path.join(directory, `${id}.json`);
  const partial = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(partial, JSON.stringify({ id, sentAt: sentAt.toISOString(), ...message }, null, 2));
  renameSync(partial, file);
}

// Newest first.
export function readOutboxFolder<T extends OutboxEntry>(directory: string): T[] {
  let files: string[];
  try {
    files = readdirSync(directory).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .map((file) => JSON.parse(readFileSync(path.join(directory, file), "utf8")) as T)
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id));
}
