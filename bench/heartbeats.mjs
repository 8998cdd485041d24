#!/usr/bin/env node
/**
 * Heartbeat ingestion throughput: `POST /ping/<token>` on Vigil's SQLite store and on
 * PostgreSQL, beside two baselines measured in the same run. Target: at least 5,000 pings/s on
 * SQLite with every acknowledged ping durable. Not part of `npm run bench` (about 3 minutes on
 * its own): `node bench/heartbeats.mjs`.
 *
 * Load: a closed loop of 32 requests in flight from this process (node:http with a keep-alive
 * Agent, one socket per loop). Each request pings the next of HEARTBEATS heartbeats in turn, with
 * a small body (a cron job's last log line). After `warmupS` of untimed load, the pings answered
 * in the next `seconds` give pings/s and the latency percentiles. Only a 200 with body "OK\n"
 * counts; any other answer is counted apart.
 *
 * Servers, each freshly started (and with a fresh store) for every repetition:
 * - `bare`: a node:http server that reads the body and answers 200 "OK\n". No storage: what
 *   Node's HTTP costs here.
 * - `sqliteInsert`: the same, plus one better-sqlite3 insert per ping, in WAL mode with
 *   synchronous=FULL like Vigil's store: the floor an fsync per acknowledged ping sets on this
 *   disk.
 * - Vigil (`dist/cli/main.js serve`, VIGIL_MODE=read_write) on SQLite, and on PostgreSQL in a
 *   fresh schema when VIGIL_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 *   answers. The heartbeats come from the MCP tool `create_heartbeat` (period 1 hour, so none
 *   goes late during the run); the token is the last segment of each one's `ping_url`.
 * Both baselines are this file, started with `serve`. As in enqueue.mjs, every server reads its
 * settings from a `.env` in its scratch directory.
 *
 * Durability: once every answer is in, the stored pings are counted per heartbeat while the
 * server still runs, and again after SIGTERM (the SQLite file read-only, or PostgreSQL through
 * `pg`); both must equal the 200s answered for that heartbeat, warm-up included.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/heartbeats.json.
 * BENCH_QUICK=1 shortens every stage, for checking the script. docs/BENCHMARKS.md section 7.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  closedLoop,
  ingestRow,
  ingestServer,
  ingestSummary,
  interleaved,
  listenAsBaseline,
  loadPlan,
  log,
  markdownTable,
  openBaselineDb,
  PG_URL,
  pgAnswers,
  post,
  storedLiveAndAfterStop,
  unit,
  withServer,
} from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
const HEARTBEATS = 100;
const TARGET_PER_S = 5_000;
const BODY = 'backup-db: 42 tables dumped in 3.1 s, exit 0';
const PINGS = unit('pings', 'Ping');

// ---------------------------------------------------------------------------------------------
// The baseline server (`node bench/heartbeats.mjs serve`, cwd = its scratch directory).

async function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let insert;
  let db;
  if (process.env.HEARTBEAT_BASELINE_STORE === 'sqlite') {
    db = await openBaselineDb(
      'create table if not exists pings (id integer primary key, token text not null, received_at integer not null, body text)',
    );
    insert = db.prepare('insert into pings (token, received_at, body) values (?, ?, ?)');
  }
  const text = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${body}\n`);
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const token = /^\/ping\/([A-Za-z0-9_-]{1,64})$/.exec(req.url ?? '')?.[1];
    if (!token) return text(res, 404, 'Not found');
    insert?.run(token, Date.now(), Buffer.concat(chunks).toString('utf8')); // autocommit: fsync'd before the answer
    text(res, 200, 'OK');
  });
  listenAsBaseline(server, () => db?.close());
}

// ---------------------------------------------------------------------------------------------
// The load generator.

/**
 * One closed-loop run against a started server, pinging `tokens` in turn. Returns the window's
 * numbers and `okByToken`, every 200 "OK" of the run (warm-up included) per token.
 */
async function loadRun(base, pid, tokens, opts) {
  const urls = tokens.map((t) => new URL(`/ping/${t}`, base));
  const okByToken = Object.fromEntries(tokens.map((t) => [t, 0]));
  let next = 0;
  const attempt = async (agent) => {
    const i = next++ % tokens.length;
    let answer;
    try {
      answer = await post(urls[i], agent, BODY, 'text/plain');
    } catch (err) {
      return ['error', `POST ${urls[i]} failed: ${err.message}`];
    }
    if (answer.status !== 200 || answer.text !== 'OK\n')
      return [answer.status, `${answer.status} ${answer.text.slice(0, 300)}`];
    okByToken[tokens[i]]++;
    return true;
  };
  return closedLoop(pid, opts, PINGS, attempt, ({ refused, refusedInWindow }) => ({
    refusedInWindow,
    refused,
    ok200: Object.values(okByToken).reduce((a, b) => a + b, 0),
    okByToken,
  }));
}

// ---------------------------------------------------------------------------------------------
// One run per server kind: start it on a fresh store, load it, check what it stored.

const VIGIL_COUNT =
  'select h.token, count(p.id) as n from heartbeats h left join heartbeat_pings p on p.heartbeat_id = h.id group by h.token';
const BASELINE_COUNT = 'select token, count(*) as n from pings group by token';

/** Heartbeats created through MCP; answers their tokens. */
async function createHeartbeats(mcpUrl, count) {
  const { call, withHttpClient } = await import('./lib.mjs');
  return withHttpClient(mcpUrl, async (client) => {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const out = await call(client, 'create_heartbeat', {
        heartbeat_data: { name: `bench-job-${i}`, period_seconds: 3600 },
      });
      const token = out.heartbeats?.[0]?.ping_url?.match(/\/ping\/([A-Za-z0-9_-]+)$/)?.[1];
      if (!token) throw new Error(`create_heartbeat gave no ping URL: ${JSON.stringify(out)}`);
      tokens.push(token);
    }
    return tokens;
  });
}

/** Per-token mismatches between what was answered 200 and what is stored. */
function mismatches(okByToken, stored) {
  const out = {};
  for (const [token, ok] of Object.entries(okByToken))
    if ((stored[token] ?? 0) !== ok) out[token] = { ok, stored: stored[token] ?? 0 };
  return out;
}

/** Runs one server kind once: `bare`, `sqliteInsert`, `vigilSqlite` or `vigilPostgres`. */
export async function heartbeatRun(kind, opts) {
  const isVigil = kind.startsWith('vigil');
  const start = await ingestServer(kind, SELF, 'HEARTBEAT_BASELINE_STORE', opts);
  return withServer(start, async (server, store) => {
    const tokens = isVigil
      ? await createHeartbeats(server.url, HEARTBEATS)
      : Array.from({ length: HEARTBEATS }, () => randomBytes(16).toString('base64url'));
    const result = await loadRun(server.url, server.pid, tokens, opts);
    // Stored pings per token.
    const counts = ([rows]) => Object.fromEntries(rows.map((r) => [r.token, Number(r.n)]));
    const query = isVigil ? VIGIL_COUNT : BASELINE_COUNT;
    const { storedLive, storedAfterStop } = await storedLiveAndAfterStop(
      kind,
      server,
      store,
      [query],
      counts,
    );
    const { okByToken, ...rest } = result;
    const sum = (c) => c && Object.values(c).reduce((a, b) => a + b, 0);
    const live = storedLive && mismatches(okByToken, storedLive);
    const after = storedAfterStop && mismatches(okByToken, storedAfterStop);
    return {
      kind,
      ...rest,
      storedLive: sum(storedLive),
      storedAfterStop: sum(storedAfterStop),
      mismatchedHeartbeats: live && { live, afterStop: after },
      durable: kind === 'bare' ? null : Object.keys(live).length === 0 && Object.keys(after).length === 0,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function main() {
  const { writeResults } = await import('./lib.mjs');
  // Requests in flight; HEARTBEAT_CLIENTS overrides (more in flight fill bigger commits).
  const PLAN = loadPlan(Number(process.env.HEARTBEAT_CLIENTS ?? 32));
  const pgUrl = PG_URL;
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const withPg = await pgAnswers(pgUrl);
  const kinds = ['bare', 'sqliteInsert', 'vigilSqlite', ...(withPg ? ['vigilPostgres'] : [])];
  const reps = await interleaved(
    Object.fromEntries(kinds.map((kind) => [kind, () => heartbeatRun(kind, { ...PLAN, pgUrl })])),
    PLAN,
  );
  const summary = await ingestSummary(reps, PINGS, 'ok200');
  const results = writeResults('heartbeats.json', loadBefore, {
    plan: { ...PLAN, heartbeats: HEARTBEATS, body: BODY, pg: withPg ? pgUrl : null },
    summary,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(summary));
  const refused = Object.values(summary).reduce((n, s) => n + s.refused, 0);
  if (refused) log(`warning: ${refused} requests were not answered 200 OK`);
  if (Object.values(summary).some((s) => !s.durable))
    log('warning: stored pings differ from the 200s answered');
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/heartbeats.json`);
}

function table(summary) {
  const head = [
    '| Server | pings/s | p50 | p99 | server CPU / ping | server CPU | RSS | vs bare | vs SQLite insert | ≥ 5,000/s | not 200 | stored = 200s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  const rows = Object.entries(summary).map(([name, s]) => ingestRow(name, s, PINGS, TARGET_PER_S, 'ok200'));
  return markdownTable(head, rows);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') await serveBaseline();
  else await main();
}
