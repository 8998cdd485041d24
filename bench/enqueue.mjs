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
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadSqlite, log, pgAdmin, post, sleep } from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
export const DEDUP_KEYS = 200;
const PROCESSED = { status: 'success', message: 'Event processed' };

// ---------------------------------------------------------------------------------------------
// The baseline server (`node bench/enqueue.mjs serve`, cwd = its scratch directory).

async function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let insert;
  let db;
  if (process.env.ENQUEUE_BASELINE_STORE === 'sqlite') {
    const SQLite = await loadSqlite();
    db = new SQLite('baseline.db');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
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
  server.listen(Number(process.env.HTTP_PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address();
    process.stderr.write(`${JSON.stringify({ level: 30, mcp: `http://127.0.0.1:${port}/mcp` })}\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    db?.close();
    process.exit(0);
  });
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
  const { cpuMs, memoryMb, percentile } = await import('./lib.mjs');
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const refused = {}; // status (or 'error') -> count, over the whole run
  let accepted202 = 0;
  let refusedInWindow = 0;
  let phase = 'warmup';
  const loop = async () => {
    while (phase !== 'done') {
      const start = performance.now();
      let answer;
      try {
        answer = await post(url, agent, nextBody());
      } catch (err) {
        if (!refused.error) process.stderr.write(`bench: POST ${url} failed: ${err.message}\n`);
        refused.error = (refused.error ?? 0) + 1;
        if (phase === 'measure') refusedInWindow++;
        await sleep(10);
        continue;
      }
      if (accepted(answer)) {
        accepted202++;
        if (phase === 'measure') latencies.push(performance.now() - start);
      } else {
        if (!refused[answer.status])
          process.stderr.write(`bench: ${answer.status} ${answer.text.slice(0, 300)}\n`);
        refused[answer.status] = (refused[answer.status] ?? 0) + 1;
        if (phase === 'measure') refusedInWindow++;
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  await sleep(warmupS * 1000);
  phase = 'measure';
  const cpu0 = cpuMs(pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  phase = 'done';
  const elapsedS = (performance.now() - t0) / 1000;
  const measured = latencies.length; // requests still in flight at the end are not counted
  const serverCpuMs = cpuMs(pid) - cpu0;
  const self = process.cpuUsage(self0);
  const serverRssMb = memoryMb(pid).rss;
  await Promise.all(loops);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    eventsPerSecond: measured / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    events: measured,
    refusedInWindow,
    refused,
    accepted202,
    serverCpuUsPerEvent: (serverCpuMs * 1000) / measured,
    serverCpuShare: serverCpuMs / 1000 / elapsedS,
    loadGeneratorCpuShare: (self.user + self.system) / 1e6 / elapsedS,
    serverRssMb,
  };
}

// ---------------------------------------------------------------------------------------------
// One run per server kind: start it on a fresh store, load it, check what it stored.

/** Counts rows in a SQLite file without writing to it (safe beside the running server). */
async function sqliteCounts(file, tables) {
  const SQLite = await loadSqlite();
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`select count(*) as n from ${t}`).get().n]));
  } finally {
    db.close();
  }
}

async function pgCounts(url, tables) {
  const { default: pg } = await import('pg');
  const client = new pg.Client(url);
  await client.connect();
  try {
    const out = {};
    for (const t of tables) out[t] = Number((await client.query(`select count(*) as n from ${t}`)).rows[0].n);
    return out;
  } finally {
    await client.end();
  }
}

const withSchema = (base, schema) =>
  `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

/**
 * Runs one server kind once: `bare`, `sqliteInsert`, `vigilSqlite` or `vigilPostgres` (with
 * `pgUrl`). `nodeArgs` go to the server's node (e.g. `--cpu-prof`).
 */
export async function enqueueRun(kind, workload, opts = {}) {
  const { pgUrl, nodeArgs = [] } = opts;
  const { call, scratchDir, startHttp, TARGETS } = await import('./lib.mjs');
  const store = scratchDir();
  const isVigil = kind.startsWith('vigil');
  const schema = kind === 'vigilPostgres' ? `vigil_bench_${randomBytes(4).toString('hex')}` : undefined;
  const dbUrl = schema && withSchema(pgUrl, schema);
  const env = isVigil
    ? { VIGIL_MODE: 'read_write', ...(dbUrl && { VIGIL_DATABASE_URL: dbUrl }) }
    : { ENQUEUE_BASELINE_STORE: kind === 'sqliteInsert' ? 'sqlite' : 'none' };
  writeFileSync(
    join(store.dir, '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  if (schema) await pgAdmin(pgUrl, `create schema ${schema}`);
  let server;
  try {
    server = await startHttp({ script: isVigil ? TARGETS.vigil.script : SELF }, store.dir, nodeArgs);
    let routingKey = randomBytes(16).toString('hex'); // the baselines take any key
    if (isVigil) {
      const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
      const client = new Client({ name: 'vigil-bench', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(server.url));
      try {
        const out = await call(client, 'create_service', { name: 'Bench Databases' });
        routingKey = out.services[0].integration_key;
      } finally {
        await client.close();
      }
    }
    const url = new URL('/v2/enqueue', server.url);
    const result = await loadRun(url, server.pid, eventSource(routingKey, workload), opts);
    // What was stored, while the server runs and after it has stopped.
    const tables = isVigil ? ['incident_alerts', 'incidents'] : ['events'];
    const count =
      kind === 'bare'
        ? async () => undefined
        : kind === 'vigilPostgres'
          ? () => pgCounts(dbUrl, tables)
          : () => sqliteCounts(join(store.dir, isVigil ? 'vigil.db' : 'baseline.db'), tables);
    const storedLive = await count();
    await server.stop();
    server = undefined;
    const storedAfterStop = await count();
    const alerts = (c) => c?.[tables[0]];
    return {
      kind,
      workload,
      ...result,
      storedLive,
      storedAfterStop,
      durable:
        kind === 'bare'
          ? null
          : alerts(storedLive) === result.accepted202 && alerts(storedAfterStop) === result.accepted202,
    };
  } finally {
    await server?.stop();
    if (schema) await pgAdmin(pgUrl, `drop schema if exists ${schema} cascade`).catch(() => undefined);
    store.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function main() {
  const { median, TARGETS } = await import('./lib.mjs');
  const QUICK = process.env.BENCH_QUICK === '1';
  const PLAN = QUICK
    ? { clients: 32, warmupS: 1, seconds: 2, reps: 1 }
    : { clients: 32, warmupS: 2, seconds: 7, reps: 3 };
  const pgUrl = process.env.VIGIL_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const withPg = await pgAdmin(pgUrl, 'select 1').then(
    () => true,
    (err) => {
      log(`PostgreSQL at ${pgUrl} does not answer (${err.message}); SQLite only`);
      return false;
    },
  );
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
  // Repetitions interleave the servers, so a noisy spell on the machine hits them alike.
  const nameOf = (kind, workload) => (kind.startsWith('vigil') ? `${kind}/${workload}` : kind);
  const reps = Object.fromEntries(runs.map(([kind, workload]) => [nameOf(kind, workload), []]));
  for (let rep = 0; rep < PLAN.reps; rep++) {
    for (const [kind, workload] of runs) {
      const name = nameOf(kind, workload);
      log(`${name} rep ${rep + 1}/${PLAN.reps}: ${PLAN.clients} in flight for ${PLAN.seconds} s`);
      reps[name].push(await enqueueRun(kind, workload, { ...PLAN, pgUrl }));
    }
  }
  // Ratios pair each Vigil run with the baselines of the same repetition.
  const paired = (name, base) =>
    median(reps[name].map((r, i) => r.eventsPerSecond / reps[base][i].eventsPerSecond));
  const summary = {};
  for (const [name, list] of Object.entries(reps)) {
    const med = (key) => median(list.map((r) => r[key]));
    summary[name] = {
      eventsPerSecond: med('eventsPerSecond'),
      p50Ms: med('p50Ms'),
      p99Ms: med('p99Ms'),
      serverCpuUsPerEvent: med('serverCpuUsPerEvent'),
      serverCpuShare: med('serverCpuShare'),
      loadGeneratorCpuShare: med('loadGeneratorCpuShare'),
      serverRssMb: med('serverRssMb'),
      refused: list.reduce((n, r) => n + Object.values(r.refused).reduce((a, b) => a + b, 0), 0),
      accepted202: list.reduce((n, r) => n + r.accepted202, 0),
      durable: list.every((r) => r.durable !== false),
      ...(name !== 'bare' && { vsBare: paired(name, 'bare') }),
      ...(name.startsWith('vigil') && { vsSqliteInsert: paired(name, 'sqliteInsert') }),
      reps: list,
    };
  }
  const results = {
    date: new Date().toISOString(),
    // The numbers belong to the build in dist/, which may be older than the checked-out source.
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    distBuiltAt: statSync(TARGETS.vigil.script).mtime.toISOString(),
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverage1m: { before: loadBefore, after: loadavg()[0] }, // other work on the machine
    },
    plan: { ...PLAN, dedupKeys: DEDUP_KEYS, pg: withPg ? pgUrl : null },
    summary,
    durationS: (Date.now() - started) / 1000,
  };
  const out = new URL('results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('enqueue.json', out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(summary));
  const refused = Object.values(summary).reduce((n, s) => n + s.refused, 0);
  if (refused) log(`warning: ${refused} requests were not answered 202 success`);
  if (Object.values(summary).some((s) => !s.durable))
    log('warning: stored alerts differ from the 202s answered');
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/enqueue.json`);
}

function table(summary) {
  const lines = [
    '| Server / workload | events/s | p50 | p99 | server CPU / event | server CPU | RSS | vs bare | vs SQLite insert | ≥ 2,000/s | not 202 | stored = 202s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const [name, s] of Object.entries(summary)) {
    const ratio = (r) => (r === undefined ? '' : `${r.toFixed(2)}x`);
    const cells = [
      name,
      s.eventsPerSecond.toFixed(0),
      `${s.p50Ms.toFixed(2)} ms`,
      `${s.p99Ms.toFixed(1)} ms`,
      `${s.serverCpuUsPerEvent.toFixed(0)} µs`,
      `${(100 * s.serverCpuShare).toFixed(0)}%`,
      `${s.serverRssMb.toFixed(0)} MB`,
      ratio(s.vsBare),
      ratio(s.vsSqliteInsert),
      name.startsWith('vigil') ? (s.eventsPerSecond >= 2000 ? 'yes' : '**no**') : '',
      s.refused,
      name === 'bare' ? '' : s.durable ? `yes (${s.accepted202})` : '**no**',
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') await serveBaseline();
  else await main();
}
