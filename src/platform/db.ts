import { mkdirSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "./paths.js";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
// Queries go through the query builder with each module's own tables, never
// the relational API, so the client needs no schema and platform stays free
// of feature imports.
export type Db = PgDatabase<PgQueryResultHKT>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  // PostgreSQL only (see change-marks.ts): `publish` is awaited after every
  // statement or transaction during which a trigger raised
  // CHANGE_MARKED_NOTICE, before its promise resolves. Returns a twin of `db`
  // whose transactions do not wait, for the publisher's own.
  publishChangesWith?(publish: () => Promise<void>): Db;
  // PostgreSQL only: `listener` runs whenever a connection to it fails.
  onConnectionLost?(listener: () => void): void;
}

// What the change-mark triggers raise (migration 0016_change_marks).
export const CHANGE_MARKED_NOTICE = "latchkey:change-marked";

// The SQL files stay in src/ when the code runs compiled from dist/.
export const migrationsFolder = path.join(projectRoot, "src/db/migrations");

// PostgreSQL when DATABASE_URL is set; otherwise embedded PGlite under DATA_DIR,
// with the same schema and migrations, for a zero-setup first run.
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(path.join(options.dataDir, "pglite"));
}

async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 3000 });
  // A dropped connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  // The pool listens for errors only on idle clients; a checked-out one (a
  // transaction waiting on something else, like the outbox relay on Redis)
  // would crash the process when the server goes away. Its pending query
  // fails instead, and the pool drops the broken client on release.
  pool.on("connect", (client) => client.on("error", () => {}));
  releaseClientsThatDie(pool);
  const quietDb = drizzle(pool) as unknown as Db;
  const db = drizzle(pool) as unknown as Db;
  const changeMarks = awaitChangeMarks(pool, db);
  return {
    db,
    kind: "postgres",
    migrate: () => migrate(db as never, { migrationsFolder }),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => pool.end(),
    publishChangesWith(publish) {
      changeMarks.publish = publish;
      return quietDb;
    },
    onConnectionLost(listener) {
      pool.on("error", listener);
      pool.on("connect", (client) => client.on("error", listener));
    },
  };
}

// A trigger announces a change mark with a NOTICE on the writer's own
// connection, before its statement completes. Counting them tells whether a
// statement (run on the pool) or a transaction (on a checked-out client) may
// have marked something: if the count moved while it ran (its own notice or a
// concurrent one, which only costs a spare publish), it waits for `publish`
// after it has committed. A failed publish leaves the change in place (it is
// committed) and the marks in their table for the publisher's sweep.
function awaitChangeMarks(pool: import("pg").Pool, db: Db): { publish?: () => Promise<void> } {
  const hook: { publish?: () => Promise<void> } = {};
  let noticed = 0;
  const count = (notice: { message?: string }) => {
    if (notice.message === CHANGE_MARKED_NOTICE) noticed++;
  };
  pool.on("connect", (client) => client.on("notice", count));
  const publishIfNoticed = async (before: number) => {
    if (noticed !== before && hook.publish) await hook.publish().catch(() => {});
  };

  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.query = (async (...args: unknown[]) => {
    if (typeof args[args.length - 1] === "function") return query(...args); // callback style: nothing here uses it
    const before = noticed;
    const result = await query(...args);
    await publishIfNoticed(before);
    return result;
  }) as typeof pool.query;

  const transaction = db.transaction.bind(db);
  db.transaction = (async (...args: Parameters<typeof transaction>) => {
    const before = noticed;
    const result = await transaction(...args);
    await publishIfNoticed(before);
    return result;
  }) as typeof db.transaction;
  return hook;
}

// Drizzle's transaction() releases its pool client only if BEGIN succeeded:
// a connection that dies during BEGIN (an outage hitting a transaction that
// is just starting) would stay checked out forever, and ten of them exhaust
// the pool. A checked-out client whose connection ends is released (and so
// dropped from the pool) at once; the caller's own release becomes a no-op.
function releaseClientsThatDie(pool: import("pg").Pool): void {
  const connect = pool.connect.bind(pool);
  pool.connect = (async (callback?: never) => {
    if (callback) return connect(callback);
    const client = await connect();
    const release = client.release.bind(client);
    let released = false;
    const releaseOnce = (error?: Error | boolean) => {
      if (released) return;
      released = true;
      client.removeListener("end", onEnd);
      release(error);
    };
    const onEnd = () => releaseOnce(new Error("connection ended while checked out"));
    client.once("end", onEnd);
    client.release = releaseOnce;
    return client;
  }) as typeof pool.connect;
}

async function openPglite(directory: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  mkdirSync(directory, { recursive: true });
  const client = new PGlite(directory);
  const db = drizzle(client) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () => migrate(db as never, { migrationsFolder }),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}
