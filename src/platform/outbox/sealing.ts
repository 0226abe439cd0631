import { createSecretBox, type SecretBox } from "../crypto/secret-box.js";

// Outbox payloads hold one-time codes and reset links, so they are sealed at
// rest. enqueueJob takes only a database handle (feature code calls it inside
// its own transactions), so the key is registered once per process by
// buildDeps rather than passed on every call; the relay opens rows with the
// key of its own deps. Without a registered key enqueueing fails loudly
// instead of storing plaintext.
let sealingBox: SecretBox | undefined;

export function setOutboxSecretKey(secretKey: string): void {
  sealingBox = createSecretBox(secretKey, "outbox");
}

export function sealPayload(payload: unknown): string {
  if (!sealingBox) throw new Error("The outbox has no sealing key: call setOutboxSecretKey (buildDeps does) before enqueueing jobs");
  return sealingBox.seal(JSON.stringify(payload));
}

export function payloadOpener(secretKey: string): (sealed: string) => unknown {
  const box = createSecretBox(secretKey, "outbox");
  return (sealed) => JSON.parse(box.open(sealed)) as unknown;
}
