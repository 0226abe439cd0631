// `npx tsx bench/purge.ts`: purge-account for one cancelled account that
// owns 100k rows (BENCH_PURGE_ROWS, spread over backup codes, access tokens,
// tickets, ticket replies and audit entries). Seeds a throwaway database
// (removed at the end) and times the job's perform() end to end. Target:
// < 10 s. Figures are printed, never asserted.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { loadConfig } from "../src/config.js";
import { buildDeps } from "../src/platform/deps.js";
import { createLogger } from "../src/platform/logger.js";
import { purgeAccountJob } from "../src/modules/cancellation/jobs.js";

const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROWS = Number(process.env.BENCH_PURGE_ROWS ?? 100_000);
const TARGET_S = 10;

const name = `latchkey_bench_purge_${randomBytes(4).toString("hex")}`;
const url = new URL(ADMIN_DATABASE_URL);
const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
await admin.connect();
await admin.query(`create database ${name}`);
url.pathname = `/${name}`;
const config = loadConfig({ ...process.env, NODE_ENV: "test", DATABASE_URL: url.toString(), DATA_DIR: mkdtempSync(path.join(tmpdir(), "latchkey-bench-")), REDIS_PREFIX: `lk-bench-${randomBytes(4).toString("hex")}:`, SECRET_KEY: randomBytes(32).toString("hex") });
const deps = await buildDeps(config, { logger: createLogger("silent"), jobs: [purgeAccountJob] });

try {
  await deps.database.migrate();
  const seed = new pg.Client({ connectionString: url.toString() });
  await seed.connect();
  const { rows: [user] } = await seed.query<{ id: string }>(`insert into users (username, email, status) values ('bench', 'bench@example.test', 'cancelled') returning id`);
  const { rows: [workspace] } = await seed.query<{ id: string }>(`insert into workspaces (name, slug) values ('bench', 'bench') returning id`);
  const share = Math.floor(ROWS / 5);
  await seed.query(`insert into backup_codes (user_id, code_hash) select $1, 'h' || g from generate_series(1, $2) g`, [user!.id, share]);
  await seed.query(`insert into access_tokens (user_id, name, secret_hash, scopes, expires_at) select $1, 't' || g, 's' || g, '{}', now() + interval '1 day' from generate_series(1, $2) g`, [user!.id, share]);
  await seed.query(`insert into tickets (workspace_id, author_id, subject, body) select $1, $2, 's', 'b' from generate_series(1, $3) g`, [workspace!.id, user!.id, share]);
  await seed.query(`insert into ticket_replies (ticket_id, author_id, body) select (select id from tickets limit 1), $1, 'r' from generate_series(1, $2) g`, [user!.id, share]);
  await seed.query(`insert into audit_events (action, actor_id, subject_id, ip, user_agent) select 'x', $1, $1, '127.0.0.1', 'ua' from generate_series(1, $2) g`, [user!.id, ROWS - 4 * share]);
  await seed.query(`insert into account_cancellations (user_id, cancelled_at, tickets_close_by) values ($1, now(), now() + interval '10 days')`, [user!.id]);
  await seed.query("analyze");
  await seed.end();

  const started = performance.now();
  await purgeAccountJob.perform(deps, { userId: user!.id }, { jobId: "bench" });
  const seconds = (performance.now() - started) / 1000;
  console.log(`purge-account, ${ROWS} rows: ${seconds.toFixed(2)} s (target < ${TARGET_S} s) ${seconds < TARGET_S ? "OK" : "SLOW"}`);
} finally {
  await deps.close();
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}
