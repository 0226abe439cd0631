import { OUTBOX_CHANNEL } from "./enqueue.js";

// A dedicated PostgreSQL connection that LISTENs for new outbox rows, so jobs
// move within milliseconds instead of at the next poll. It reconnects on its
// own after an outage; meanwhile the relay's poll still moves everything.
// Returns a function that stops listening.
export function listenForOutboxRows(databaseUrl: string, onRow: () => void): () => Promise<void> {
  let stopped = false;
  let stop!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));

  async function connectAndWait(): Promise<void> {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
    const lost = new Promise<void>((resolve) => {
      client.on("error", () => resolve());
      client.on("end", () => resolve());
    });
    client.on("notification", onRow);
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      onRow(); // rows may have been committed while nobody listened
      await Promise.race([lost, stopSignal]);
    } finally {
      // Not awaited: ending a half-open connection may never report back.
      void client.end().catch(() => {});
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await connectAndWait().catch(() => {});
      if (stopped) break;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 2000).unref()), stopSignal]);
    }
  })();

  return async () => {
    stopped = true;
    stop();
    await loop;
  };
}
