// `npx tsx bench/audit.ts` (and a part of `npm run bench`, BENCH_ONLY=audit):
// the workspace activity page with 1 million security events in the table.
// Seeds a throwaway database (removed at the end) in SQL (generate_series),
// serves the real app on loopback and times GET /w/:slug/activity over HTTP
// as its owner: the first page (with the 30-day sign-in chart), a filtered
// page (one event type), a person filter and a keyset page deep in the
// workspace's history; then the instance page (/admin/activity, whose chart
// counts every sign-in). Target: p95 < 30 ms for the workspace page.
// BENCH_AUDIT_EVENTS (default 1000000), BENCH_RUNS (200), BENCH_EXPLAIN=1
// prints the plans of the page's queries, BENCH_AUDIT_KEEP=1 keeps the
// database (named at the end). Figures are printed, never asserted.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { buildDeps } from "../src/platform/deps.js";
import { createLogger } from "../src/platform/logger.js";
import { createUser, createWorkspace, signedInClient } from "../test/helpers/factories.js";

const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const TARGET_P95_MS = 30;
const WORKSPACES = 20;
const MEMBERS = 2_000;

const name = `latchkey_bench_audit_${randomBytes(4).toString("hex")}`;
const url = new URL(ADMIN_DATABASE_URL);
const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
await admin.connect();
await admin.query(`create database ${name}`);
url.pathname = `/${name}`;
const config = loadConfig({
  ...process.env,
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  DATABASE_URL: url.toString(),
  DATA_DIR: mkdtempSync(path.join(tmpdir(), "latchkey-bench-audit-")),
  REDIS_PREFIX: `lk-bench-audit-${randomBytes(4).toString("hex")}:`,
  SECRET_KEY: randomBytes(32).toString("hex"),
});
const deps = await buildDeps(config, { logger: createLogger("silent"), jobs: [] });
const report: string[] = [];

try {
  await deps.database.migrate();
  const owner = await createUser(deps, { username: "bench_owner", isInstanceAdmin: true });
  const workspace = await createWorkspace(deps, owner, "bench");
  const seed = new pg.Client({ connectionString: url.toString() });
  await seed.connect();
  let started = performance.now();
  // 2,000 accounts; the benched workspace has 200 of them as members, the
  // other 19 workspaces share the rest.
  await seed.query(`insert into users (username, email, password_hash) select 'm' || i, 'm' || i || '@example.test', null from generate_series(1, $1) i`, [MEMBERS]);
  await seed.query(`insert into workspaces (name, slug) select 'other ' || i, 'other-' || i from generate_series(2, $1) i`, [WORKSPACES]);
  await seed.query(
    `insert into memberships (workspace_id, user_id, role)
     select case when u.rn <= 200 then $1::uuid else w.ids[1 + (u.rn % ($2 - 1))] end, u.id, 'member'
     from (select id, row_number() over (order by username) rn from users where username like 'm%') u,
          (select array_agg(id order by slug) ids from workspaces where slug like 'other-%') w`,
    [workspace.id, WORKSPACES],
  );
  // The events: ids grow with time (one every 31 s back from now, about a
  // year); a quarter in the benched workspace, 30 % with no workspace (an
  // account's own events), the rest spread over the others; sign-ins and
  // failures are the commonest types, as in real logs.
  await seed.query(
    `insert into audit_events (action, actor_id, subject_id, workspace_id, ip, user_agent, details, created_at)
     select t.action, t.person, t.person,
            case when i % 4 = 0 then $2::uuid when i % 10 < 3 then null else w.ids[1 + (i % ($3 - 1))] end,
            '203.0.113.' || (i % 250),
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
            case when t.action = 'auth.sign_in_failed' then jsonb_build_object('reason', 'wrong_password', 'accountLocked', i % 97 = 0)
                 when t.action = 'auth.signed_in' then '{"via":"password","factors":["password"]}'::jsonb else '{}'::jsonb end,
            now() - (($1 - i) * interval '31 seconds')
     from generate_series(1, $1) i
     cross join (select array_agg(id order by slug) ids from workspaces where slug like 'other-%') w
     cross join (select array_agg(id order by username) ids from users where username like 'm%') u
     cross join lateral (select
       (array['auth.signed_in','auth.signed_in','auth.signed_in','auth.signed_in','auth.sign_in_failed','auth.sign_in_failed',
              'session.ended','token.created','member.role_changed','password.changed','auth.reauthenticated','two_factor.enabled'])[1 + (i * 7 % 12)] as action,
       u.ids[1 + ((i::bigint * 7919) % case when i % 4 = 0 then 200 else $4 end)::int] as person) t`,
    [EVENTS, workspace.id, WORKSPACES, MEMBERS],
  );
  // What autovacuum does to a table after a bulk load (statistics, visibility map).
  await seed.query("vacuum analyze audit_events");
  const seeded = (performance.now() - started) / 1000;
  const { rows: counts } = await seed.query<{ total: string; mine: string }>(`select count(*) total, count(*) filter (where workspace_id = $1) mine from audit_events`, [workspace.id]);
  // A cursor half-way through the workspace's history, and a member to filter by.
  const { rows: [middle] } = await seed.query<{ id: string }>(
    `select id from audit_events where workspace_id = $1 order by id desc offset $2 limit 1`,
    [workspace.id, Math.floor(Number(counts[0]!.mine) / 2)],
  );
  const { rows: [member] } = await seed.query<{ username: string }>(
    `select u.username from audit_events e join users u on u.id = e.subject_id where e.workspace_id = $1 order by e.id desc limit 1`,
    [workspace.id],
  );
  report.push(`security events: ${counts[0]!.total} seeded in ${seeded.toFixed(1)} s (${counts[0]!.mine} in the benched workspace)`);

  if (EXPLAIN) await explainPage(seed, workspace.id);
  await seed.end();

  const server = createApp(deps).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const client = await signedInClient(baseUrl, owner);
    const base = `/w/${workspace.slug}/activity`;
    const cases: Array<[string, string, boolean]> = [
      // What any signed-in page costs on this machine right now (session,
      // user, memberships, layout): the activity figures sit on top of it.
      ["floor: workspace home /w/:slug", `/w/${workspace.slug}`, false],
      ["workspace: first page + chart", base, true],
      ["workspace: type filter", `${base}?type=member.role_changed`, true],
      ["workspace: person filter", `${base}?person=${member!.username}`, true],
      ["workspace: keyset page (middle)", `${base}?cursor=${middle!.id}`, true],
      ["workspace: date range", `${base}?from=${day(-200)}&to=${day(-190)}`, true],
      ["instance: first page + chart", "/admin/activity", false],
    ];
    let worst = 0;
    report.push(`load average at the start: ${os.loadavg().map((n) => n.toFixed(1)).join(" ")} on ${os.cpus().length} cores (other work on the machine inflates every figure)`);
    report.push(`${"GET (as the owner, over HTTP)".padEnd(36)}${"rows".padStart(6)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}`);
    for (const [label, pathname, counted] of cases) {
      let rows = 0;
      for (let i = 0; i < 10; i++) {
        const page = await client.get(pathname); // warm-up
        if (page.status !== 200) throw new Error(`${pathname} answered ${page.status}`);
        rows = (page.text.match(/data-event-id=/g) ?? []).length;
      }
      const timings: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await client.get(pathname);
        timings.push(performance.now() - start);
      }
      timings.sort((a, b) => a - b);
      const p = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
      if (counted) worst = Math.max(worst, p(0.95));
      report.push(`${label.padEnd(36)}${String(rows).padStart(6)}${p(0.5).toFixed(1).padStart(9)}${p(0.95).toFixed(1).padStart(9)}`);
    }
    report.push(`workspace activity, worst p95: ${worst.toFixed(1)} ms (target < ${TARGET_P95_MS} ms): ${worst < TARGET_P95_MS ? "met" : "NOT met"}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
} finally {
  console.log(report.join("\n"));
  await deps.close();
  if (process.env.BENCH_AUDIT_KEEP === "1") console.log(`kept database ${name}`);
  else await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

// The page's queries as the app sends them, with their plans (BENCH_EXPLAIN=1).
async function explainPage(client: pg.Client, workspaceId: string): Promise<void> {
  const since = new Date(Date.now() - 29 * 86_400_000).toISOString();
  const queries: Array<[string, string]> = [
    ["first page", `select * from audit_events where workspace_id = '${workspaceId}' order by id desc limit 51`],
    ["type filter", `select * from audit_events where workspace_id = '${workspaceId}' and action = 'member.role_changed' order by id desc limit 51`],
    [
      "workspace chart",
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD'), count(*) from audit_events
       where created_at >= '${since}' and action in ('auth.signed_in','auth.sign_in_failed','auth.second_step_failed','auth.second_factor_locked')
         and ((action = 'auth.signed_in' and workspace_id = '${workspaceId}')
           or (action <> 'auth.signed_in' and subject_id in (select m.user_id from memberships m where m.workspace_id = '${workspaceId}')))
       group by 1`,
    ],
    [
      "instance chart",
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD'), count(*) from audit_events
       where created_at >= '${since}' and action in ('auth.signed_in','auth.sign_in_failed','auth.second_step_failed','auth.second_factor_locked') group by 1`,
    ],
  ];
  for (const [label, sql] of queries) {
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers off) ${sql}`);
    console.log(`\n-- ${label}\n${rows.map((row) => row["QUERY PLAN"]).join("\n")}`);
  }
}
