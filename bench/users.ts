// `npm run bench:users`: the instance administrators' user list at 100k
// accounts. Seeds a throwaway database (removed at the end), then times the
// list's queries as /admin/users runs them (a page of 50 accounts plus their
// workspaces): the first page, a page deep in the keyset, and prefix
// searches on username and email. Target: p95 < 30 ms per page. Figures are
// printed, never asserted: the exit code only says whether the bench ran.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openDatabase } from "../src/platform/db.js";
import { listUsers } from "../src/modules/admin/service.js";

const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const TARGET_P95_MS = 30;

const name = `latchkey_bench_users_${randomBytes(4).toString("hex")}`;
const url = new URL(ADMIN_DATABASE_URL);
const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
await admin.connect();
await admin.query(`create database ${name}`);
url.pathname = `/${name}`;
const database = await openDatabase({ databaseUrl: url.toString(), dataDir: "/tmp" });

try {
  await database.migrate();
  const seed = new pg.Client({ connectionString: url.toString() });
  await seed.connect();
  const started = performance.now();
  // Names spread over the alphabet like real ones (md5 prefix), each unique by its number.
  await seed.query(
    `insert into users (username, email, password_hash, created_at)
     select substr(md5(i::text), 1, 8) || '_' || i, 'p' || substr(md5((i * 7)::text), 1, 9) || i || '@example.test', null, now() - (i || ' minutes')::interval
     from generate_series(1, $1) as i`,
    [USERS],
  );
  // A workspace per 20 accounts, so the workspaces column has something to read.
  await seed.query(`insert into workspaces (name, slug) select 'ws ' || i, 'ws-' || i from generate_series(1, $1) as i`, [Math.ceil(USERS / 20)]);
  await seed.query(
    `insert into memberships (workspace_id, user_id, role)
     select w.id, u.id, case when u.rn % 20 = 1 then 'owner' else 'member' end
     from (select id, row_number() over (order by id) as rn from users) u
     join (select id, row_number() over (order by id) as rn from workspaces) w on w.rn = (u.rn - 1) / 20 + 1`,
  );
  await seed.query("analyze");
  const { rows } = await seed.query<{ middle: string }>("select lower(username) as middle from users order by lower(username) offset $1 limit 1", [Math.floor(USERS / 2)]);
  await seed.end();
  console.log(`Seeded ${USERS} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s.`);

  const deps = { db: database.db };
  const cases: Array<[string, { q?: string; after?: string }]> = [
    ["first page", {}],
    ["page in the middle (keyset)", { after: rows[0]!.middle }],
    ["username prefix, 2 characters", { q: "a1" }],
    ["username prefix, 4 characters", { q: "a1b2" }],
    ["email prefix", { q: "p3f" }],
    ["no match", { q: "zzzz-none" }],
  ];
  let worst = 0;
  console.log(`\n${"query".padEnd(34)}${"rows".padStart(6)}${"p50 ms".padStart(10)}${"p95 ms".padStart(10)}`);
  for (const [label, query] of cases) {
    for (let i = 0; i < 10; i++) await listUsers(deps, query); // warm-up
    const timings: number[] = [];
    let count = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const page = await listUsers(deps, query);
      timings.push(performance.now() - start);
      count = page.rows.length;
    }
    timings.sort((a, b) => a - b);
    const p = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
    worst = Math.max(worst, p(0.95));
    console.log(`${label.padEnd(34)}${String(count).padStart(6)}${p(0.5).toFixed(2).padStart(10)}${p(0.95).toFixed(2).padStart(10)}`);
  }
  console.log(`\nWorst p95: ${worst.toFixed(2)} ms (target < ${TARGET_P95_MS} ms): ${worst < TARGET_P95_MS ? "met" : "NOT met"}.`);
} finally {
  await database.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
