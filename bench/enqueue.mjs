#!/usr/bin/env node
/**
 * Events API v2 ingestion throughput: `POST /v2/enqueue` with deduplication, on Vigil's SQLite
 * store and on PostgreSQL, beside two baselines measured in the same run. Not part of
 * `npm run bench` (it takes about 3 minutes on its own): `node bench/enqueue.mjs`.
 *
 * Load: a closed loop of `clients` (32) requests in flight from this process (node:http with a
 * keep-alive Agent, one socket per loop), each POSTing one trigger event. After `warmupS` of
 * untimed load, the events answered in the next `seconds` give events/s and the latency
 * percentiles. Only a 202 with `"status":"success"` counts; any other answer is counted apart.
 * Two workloads: `dedup` (each event takes one of DEDUP_KEYS keys at random, so after the first
 * few hundred every event joins an open incident as an alert) and `unique` (every event has a
 * new key and opens an incident).
 *
 * Servers, each freshly started (and with a fresh store) for every repetition:
 * - `bare`: a node:http server that reads the body, JSON.parses it and answers PagerDuty's 202
 *   body. No storage: what Node's HTTP costs here.
 * - `sqliteInsert`: the same, plus one better-sqlite3 insert per event, in WAL mode with
 *   synchronous=FULL like Vigil's store: the floor an fsync per acknowledged event sets on this
 *   disk.
 * - Vigil (`dist/cli/main.js serve`, VIGIL_MODE=read_write) on SQLite, and on PostgreSQL in a
 *   fresh schema when VIGIL_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 *   answers. The routing key comes from the MCP tool `create_service`.
 * Both baselines are this file, started with `serve` (the line it logs is the one
 * lib.mjs's startHttp waits for). Every server reads its settings from a `.env` in its scratch
 * directory (its cwd), since startHttp passes on no environment past the port and log level.
 *
 * Durability: once every answer is in, the stored alerts (rows, for `sqliteInsert`) are counted
 * while the server still runs, and again after SIGTERM; both must equal the number of 202s,
 * warm-up included.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/enqueue.json.
 * BENCH_QUICK=1 shortens every stage, for checking the script. docs/BENCHMARKS.md section 5.
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
export const DEDUP_KEYS = 200;
const PROCESSED = { status: 'success', message: 'Event processed' };
const EVENTS = unit('events', 'Event');

// ---------------------------------------------------------------------------------------------
// The baseline server (`node bench/enqueue.mjs serve`, cwd = its scratch directory).

async function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let insert;
  let db;
  if (process.env.ENQUEUE_BASELINE_STORE === 'sqlite') {
    db = await openBaselineDb(
      'create table if not exists events (id integer primary key, dedup_key text not null, payload text not null)',
    );
    insert = db.prepare('insert into events (dedup_key, payload) values (?, ?)');
  }
  const send = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let event;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: [] });
    }
    const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
    insert?.run(dedupKey, JSON.stringify(event.payload)); // autocommit: fsync'd before the answer
    send(res, 202, { ...PROCESSED, dedup_key: dedupKey });
  });
  listenAsBaseline(server, () => db?.close());
}

// ---------------------------------------------------------------------------------------------
// The load generator.

/** Request bodies for one workload; `unique` keys carry a run tag so stores never share them. */
export function eventSource(routingKey, workload) {
  const tag = randomBytes(4).toString('hex');
  let seq = 0;
  return () => {
    const n = Math.floor(Math.random() * DEDUP_KEYS);
    const dedupKey = workload === 'unique' ? `disk-full-${tag}-${seq++}` : `disk-full-db-${n}`;
    return JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Disk full on db-${n}`, source: `db-${n}`, severity: 'critical' },
    });
  };
}

/** A 202 with PagerDuty's success body. */
function accepted(answer) {
  if (answer.status !== 202) return false;
  try {
    const body = JSON.parse(answer.text);
    return body.status === PROCESSED.status && typeof body.dedup_key === 'string';
  } catch {
    return false;
  }
}

/**
 * One closed-loop run against a started server. `nextBody()` gives each request's body.
 * Returns the window's numbers and `accepted202`, every 202 of the run (warm-up included).
 */
export async function loadRun(url, pid, nextBody, opts) {
  const { clients = 32, seconds = 10, warmupS = 2 } = opts;
  let accepted202 = 0;
  const attempt = async (agent) => {
    let answer;
    try {
      answer = await post(url, agent, nextBody());
    } catch (err) {
      return ['error', `POST ${url} failed: ${err.message}`];
    }
    if (!accepted(answer)) return [answer.status, `${answer.status} ${answer.text.slice(0, 300)}`];
    accepted202++;
    return true;
  };
  return closedLoop(pid, { clients, seconds, warmupS }, EVENTS, attempt, ({ refused, refusedInWindow }) => ({
    refusedInWindow,
    refused,
    accepted202,
  }));
}

// ---------------------------------------------------------------------------------------------
// One run per server kind: start it on a fresh store, load it, check what it stored.

/**
 * Runs one server kind once: `bare`, `sqliteInsert`, `vigilSqlite` or `vigilPostgres` (with
 * `pgUrl`). `nodeArgs` go to the server's node (e.g. `--cpu-prof`).
 */
export async function enqueueRun(kind, workload, opts = {}) {
  const { call, withHttpClient } = await import('./lib.mjs');
  const isVigil = kind.startsWith('vigil');
  const start = await ingestServer(kind, SELF, 'ENQUEUE_BASELINE_STORE', opts);
  return withServer(start, async (server, store) => {
    const routingKey = isVigil
      ? await withHttpClient(server.url, async (client) => {
          const out = await call(client, 'create_service', { name: 'Bench Databases' });
          return out.services[0].integration_key;
        })
      : randomBytes(16).toString('hex'); // the baselines take any key
    const url = new URL('/v2/enqueue', server.url);
    const result = await loadRun(url, server.pid, eventSource(routingKey, workload), opts);
    // What was stored, while the server runs and after it has stopped: rows per table.
    const tables = isVigil ? ['incident_alerts', 'incidents'] : ['events'];
    const queries = tables.map((t) => `select count(*) as n from ${t}`);
    const counts = (rows) => Object.fromEntries(tables.map((t, i) => [t, Number(rows[i][0].n)]));
    const stored = await storedLiveAndAfterStop(kind, server, store, queries, counts);
    const alerts = (c) => c?.[tables[0]];
    return {
      kind,
      workload,
      ...result,
      ...stored,
      durable:
        kind === 'bare'
          ? null
          : alerts(stored.storedLive) === result.accepted202 &&
            alerts(stored.storedAfterStop) === result.accepted202,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function main() {
  const { writeResults } = await import('./lib.mjs');
  const PLAN = loadPlan(32);
  const pgUrl = PG_URL;
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const withPg = await pgAnswers(pgUrl);
  const runs = [
    ['bare', 'dedup'],
    ['sqliteInsert', 'dedup'],
    ['vigilSqlite', 'dedup'],
    ['vigilSqlite', 'unique'],
    ...(withPg
      ? [
          ['vigilPostgres', 'dedup'],
          ['vigilPostgres', 'unique'],
        ]
      : []),
  ];
  const nameOf = (kind, workload) => (kind.startsWith('vigil') ? `${kind}/${workload}` : kind);
  const reps = await interleaved(
    Object.fromEntries(
      runs.map(([kind, workload]) => [
        nameOf(kind, workload),
        () => enqueueRun(kind, workload, { ...PLAN, pgUrl }),
      ]),
    ),
    PLAN,
  );
  const summary = await ingestSummary(reps, EVENTS, 'accepted202');
  const results = writeResults('enqueue.json', loadBefore, {
    plan: { ...PLAN, dedupKeys: DEDUP_KEYS, pg: withPg ? pgUrl : null },
    summary,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(summary));
  const refused = Object.values(summary).reduce((n, s) => n + s.refused, 0);
  if (refused) log(`warning: ${refused} requests were not answered 202 success`);
  if (Object.values(summary).some((s) => !s.durable))
    log('warning: stored alerts differ from the 202s answered');
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/enqueue.json`);
}

function table(summary) {
  const head = [
    '| Server / workload | events/s | p50 | p99 | server CPU / event | server CPU | RSS | vs bare | vs SQLite insert | ≥ 2,000/s | not 202 | stored = 202s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  const rows = Object.entries(summary).map(([name, s]) => ingestRow(name, s, EVENTS, 2000, 'accepted202'));
  return markdownTable(head, rows);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') await serveBaseline();
  else await main();
}
