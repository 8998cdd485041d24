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
const HEARTBEATS = 100;
const TARGET_PER_S = 5_000;
const BODY = 'backup-db: 42 tables dumped in 3.1 s, exit 0';

// ---------------------------------------------------------------------------------------------
// The baseline server (`node bench/heartbeats.mjs serve`, cwd = its scratch directory).

async function serveBaseline() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let insert;
  let db;
  if (process.env.HEARTBEAT_BASELINE_STORE === 'sqlite') {
    const SQLite = await loadSqlite();
    db = new SQLite('baseline.db');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
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
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    // The line lib.mjs's startHttp waits for.
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

/**
 * One closed-loop run against a started server, pinging `tokens` in turn. Returns the window's
 * numbers and `okByToken`, every 200 "OK" of the run (warm-up included) per token.
 */
async function loadRun(base, pid, tokens, opts) {
  const { clients, seconds, warmupS } = opts;
  const { cpuMs, memoryMb, percentile } = await import('./lib.mjs');
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const urls = tokens.map((t) => new URL(`/ping/${t}`, base));
  const okByToken = Object.fromEntries(tokens.map((t) => [t, 0]));
  const latencies = [];
  const refused = {}; // status (or 'error') -> count, over the whole run
  let refusedInWindow = 0;
  let next = 0;
  let phase = 'warmup';
  const loop = async () => {
    while (phase !== 'done') {
      const i = next++ % tokens.length;
      const start = performance.now();
      let answer;
      try {
        answer = await post(urls[i], agent, BODY, 'text/plain');
      } catch (err) {
        if (!refused.error) log(`POST ${urls[i]} failed: ${err.message}`);
        refused.error = (refused.error ?? 0) + 1;
        if (phase === 'measure') refusedInWindow++;
        await sleep(10);
        continue;
      }
      if (answer.status === 200 && answer.text === 'OK\n') {
        okByToken[tokens[i]]++;
        if (phase === 'measure') latencies.push(performance.now() - start);
      } else {
        if (!refused[answer.status]) log(`${answer.status} ${answer.text.slice(0, 300)}`);
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
    pingsPerSecond: measured / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    pings: measured,
    refusedInWindow,
    refused,
    ok200: Object.values(okByToken).reduce((a, b) => a + b, 0),
    okByToken,
    serverCpuUsPerPing: (serverCpuMs * 1000) / measured,
    serverCpuShare: serverCpuMs / 1000 / elapsedS,
    loadGeneratorCpuShare: (self.user + self.system) / 1e6 / elapsedS,
    serverRssMb,
  };
}

// ---------------------------------------------------------------------------------------------
// One run per server kind: start it on a fresh store, load it, check what it stored.

const VIGIL_COUNT =
  'select h.token, count(p.id) as n from heartbeats h left join heartbeat_pings p on p.heartbeat_id = h.id group by h.token';
const BASELINE_COUNT = 'select token, count(*) as n from pings group by token';

/** Stored pings per token, from a SQLite file opened read-only (safe beside the running server). */
async function sqliteCounts(file, query) {
  const SQLite = await loadSqlite();
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      db
        .prepare(query)
        .all()
        .map((r) => [r.token, Number(r.n)]),
    );
  } finally {
    db.close();
  }
}

async function pgCounts(url, query) {
  const { default: pg } = await import('pg');
  const client = new pg.Client(url);
  await client.connect();
  try {
    return Object.fromEntries((await client.query(query)).rows.map((r) => [r.token, Number(r.n)]));
  } finally {
    await client.end();
  }
}

const withSchema = (base, schema) =>
  `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

/** Heartbeats created through MCP; answers their tokens. */
async function createHeartbeats(mcpUrl, count) {
  const { call } = await import('./lib.mjs');
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'vigil-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl));
  try {
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
  } finally {
    await client.close();
  }
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
  const { pgUrl, nodeArgs = [] } = opts;
  const { scratchDir, startHttp, TARGETS } = await import('./lib.mjs');
  const store = scratchDir();
  const isVigil = kind.startsWith('vigil');
  const schema = kind === 'vigilPostgres' ? `vigil_bench_${randomBytes(4).toString('hex')}` : undefined;
  const dbUrl = schema && withSchema(pgUrl, schema);
  const env = isVigil
    ? { VIGIL_MODE: 'read_write', ...(dbUrl && { VIGIL_DATABASE_URL: dbUrl }) }
    : { HEARTBEAT_BASELINE_STORE: kind === 'sqliteInsert' ? 'sqlite' : 'none' };
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
    const tokens = isVigil
      ? await createHeartbeats(server.url, HEARTBEATS)
      : Array.from({ length: HEARTBEATS }, () => randomBytes(16).toString('base64url'));
    const result = await loadRun(server.url, server.pid, tokens, opts);
    const query = isVigil ? VIGIL_COUNT : BASELINE_COUNT;
    const count =
      kind === 'bare'
        ? async () => undefined
        : kind === 'vigilPostgres'
          ? () => pgCounts(dbUrl, query)
          : () => sqliteCounts(join(store.dir, isVigil ? 'vigil.db' : 'baseline.db'), query);
    const storedLive = await count();
    await server.stop();
    server = undefined;
    const storedAfterStop = await count();
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
  // Requests in flight; HEARTBEAT_CLIENTS overrides (more in flight fill bigger commits).
  const CLIENTS = Number(process.env.HEARTBEAT_CLIENTS ?? 32);
  const PLAN = QUICK
    ? { clients: CLIENTS, warmupS: 1, seconds: 2, reps: 1 }
    : { clients: CLIENTS, warmupS: 2, seconds: 7, reps: 3 };
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
  const kinds = ['bare', 'sqliteInsert', 'vigilSqlite', ...(withPg ? ['vigilPostgres'] : [])];
  // Repetitions interleave the servers, so a noisy spell on the machine hits them alike.
  const reps = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let rep = 0; rep < PLAN.reps; rep++) {
    for (const kind of kinds) {
      log(`${kind} rep ${rep + 1}/${PLAN.reps}: ${PLAN.clients} in flight for ${PLAN.seconds} s`);
      reps[kind].push(await heartbeatRun(kind, { ...PLAN, pgUrl }));
    }
  }
  // Ratios pair each run with the baselines of the same repetition.
  const paired = (name, base) =>
    median(reps[name].map((r, i) => r.pingsPerSecond / reps[base][i].pingsPerSecond));
  const summary = {};
  for (const [name, list] of Object.entries(reps)) {
    const med = (key) => median(list.map((r) => r[key]));
    summary[name] = {
      pingsPerSecond: med('pingsPerSecond'),
      p50Ms: med('p50Ms'),
      p99Ms: med('p99Ms'),
      serverCpuUsPerPing: med('serverCpuUsPerPing'),
      serverCpuShare: med('serverCpuShare'),
      loadGeneratorCpuShare: med('loadGeneratorCpuShare'),
      serverRssMb: med('serverRssMb'),
      refused: list.reduce((n, r) => n + Object.values(r.refused).reduce((a, b) => a + b, 0), 0),
      ok200: list.reduce((n, r) => n + r.ok200, 0),
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
    plan: { ...PLAN, heartbeats: HEARTBEATS, body: BODY, pg: withPg ? pgUrl : null },
    summary,
    durationS: (Date.now() - started) / 1000,
  };
  const out = new URL('results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('heartbeats.json', out), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(summary));
  const refused = Object.values(summary).reduce((n, s) => n + s.refused, 0);
  if (refused) log(`warning: ${refused} requests were not answered 200 OK`);
  if (Object.values(summary).some((s) => !s.durable))
    log('warning: stored pings differ from the 200s answered');
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/heartbeats.json`);
}

function table(summary) {
  const lines = [
    '| Server | pings/s | p50 | p99 | server CPU / ping | server CPU | RSS | vs bare | vs SQLite insert | ≥ 5,000/s | not 200 | stored = 200s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const [name, s] of Object.entries(summary)) {
    const ratio = (r) => (r === undefined ? '' : `${r.toFixed(2)}x`);
    const cells = [
      name,
      s.pingsPerSecond.toFixed(0),
      `${s.p50Ms.toFixed(2)} ms`,
      `${s.p99Ms.toFixed(1)} ms`,
      `${s.serverCpuUsPerPing.toFixed(0)} µs`,
      `${(100 * s.serverCpuShare).toFixed(0)}%`,
      `${s.serverRssMb.toFixed(0)} MB`,
      ratio(s.vsBare),
      ratio(s.vsSqliteInsert),
      name.startsWith('vigil') ? (s.pingsPerSecond >= TARGET_PER_S ? 'yes' : '**no**') : '',
      s.refused,
      name === 'bare' ? '' : s.durable ? `yes (${s.ok200})` : '**no**',
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'serve') await serveBaseline();
  else await main();
}
