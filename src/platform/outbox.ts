import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

// A folder of JSON files standing in for a real mail server or SMS gateway
// in development (shown on /dev/mailbox) and in tests (the catchers).
export interface OutboxEntry {
  id: string;
  sentAt: string;
}

export function writeToOutbox<T extends object>(directory: string, message: T): void {
  mkdirSync(directory, { recursive: true });
  const sentAt = new Date();
  const id = `${sentAt.getTime()}-${randomBytes(4).toString("hex")}`;
  writeFileSync(path.join(directory, `${id}.json`), JSON.stringify({ id, sentAt: sentAt.toISOString(), ...message }, null, 2));
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
