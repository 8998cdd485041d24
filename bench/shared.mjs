/**
 * Plumbing the HTTP load benchmarks share (enqueue, escalation, heartbeats, status page, checks):
 * a closed-loop POST and load run, the baseline servers' listening, a server on a fresh store,
 * the stores' drivers for counting what was kept, and the markdown tables.
 *
 * The baseline servers are the benchmark scripts themselves, so they import this file: it loads
 * only what a bare node:http server loads anyway. lib.mjs (the MCP SDK), node:crypto and the
 * global `performance` (node:perf_hooks, not imported) are loaded only when the load runs.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** POSTs `body` on `agent`'s sockets; resolves with the status and the answer's text. */
export function post(url, agent, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// The load run.

/** The load plan; BENCH_QUICK=1 shortens every stage, for checking the script. */
export function loadPlan(clients) {
  return process.env.BENCH_QUICK === '1'
    ? { clients, warmupS: 1, seconds: 2, reps: 1 }
    : { clients, warmupS: 2, seconds: 7, reps: 3 };
}

/**
 * The names a script gives a load run's numbers (`events`, `Event`: eventsPerSecond, events,
 * serverCpuUsPerEvent), so each keeps its own words in its JSON; `window` lists the numbers of
 * the timed window, the ones a summary takes the median of.
 */
export function unit(plural, singular) {
  const rate = `${plural}PerSecond`;
  const cpu = `serverCpuUsPer${singular}`;
  return {
    rate,
    count: plural,
    cpu,
    window: [rate, 'p50Ms', 'p99Ms', cpu, 'serverCpuShare', 'loadGeneratorCpuShare', 'serverRssMb'],
  };
}

/**
 * A closed loop of `clients` requests in flight from this process (a keep-alive Agent, one
 * socket per loop) against the server process `pid`. `attempt(agent)` sends one request and
 * resolves `true` when its answer counts, else `[key, message]`: counted apart under `key` (a
 * status, or 'error' for a failed request, after which that loop pauses 10 ms rather than spin),
 * `message` logged the first time. After `warmupS` of untimed load, the answers that count in
 * the next `seconds` give the rate and the latency percentiles. Returns the numbers under `u`'s
 * names, with `middle({ refused, refusedInWindow })` (the script's own counts) after the count.
 */
export async function closedLoop(pid, { clients, seconds, warmupS }, u, attempt, middle) {
  const { cpuMs, memoryMb, percentile } = await import('./lib.mjs');
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const refused = {}; // key -> count, over the whole run
  let refusedInWindow = 0;
  let phase = 'warmup';
  const loop = async () => {
    while (phase !== 'done') {
      const start = performance.now();
      const outcome = await attempt(agent);
      if (outcome === true) {
        if (phase === 'measure') latencies.push(performance.now() - start);
        continue;
      }
      const [key, message] = outcome;
      if (!refused[key]) log(message);
      refused[key] = (refused[key] ?? 0) + 1;
      if (phase === 'measure') refusedInWindow++;
      if (key === 'error') await sleep(10);
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
    [u.rate]: measured / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    [u.count]: measured,
    ...middle({ refused, refusedInWindow }),
    [u.cpu]: (serverCpuMs * 1000) / measured,
    serverCpuShare: serverCpuMs / 1000 / elapsedS,
    loadGeneratorCpuShare: (self.user + self.system) / 1e6 / elapsedS,
    serverRssMb,
  };
}

/** Runs each server `plan.reps` times, interleaved so a noisy spell on the machine hits them alike. */
export async function interleaved(runs, plan) {
  const reps = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let rep = 0; rep < plan.reps; rep++) {
    for (const [name, run] of Object.entries(runs)) {
      log(`${name} rep ${rep + 1}/${plan.reps}: ${plan.clients} in flight for ${plan.seconds} s`);
      reps[name].push(await run());
    }
  }
  return reps;
}

/** The answers that did not count, over every repetition of a server. */
export function refusedTotal(list) {
  return list.reduce((n, r) => n + Object.values(r.refused).reduce((a, b) => a + b, 0), 0);
}

// ---------------------------------------------------------------------------------------------
// The servers under load.

/**
 * Serves a baseline on a free loopback port and logs the line lib.mjs's startHttp waits for, as
 * `vigil serve` does. SIGTERM drops every connection, calls `close` (its store) and exits.
 */
export function listenAsBaseline(server, close = () => undefined) {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    process.stderr.write(`${JSON.stringify({ level: 30, mcp: `http://127.0.0.1:${port}/mcp` })}\n`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    close();
    process.exit(0);
  });
}

/**
 * The `sqliteInsert` baselines' store, `baseline.db` in the cwd: WAL mode with
 * synchronous=FULL like Vigil's store, so each autocommitted insert is fsync'd before the answer.
 */
export async function openBaselineDb(createTable) {
  const SQLite = await loadSqlite();
  const db = new SQLite('baseline.db');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(createTable);
  return db;
}

/**
 * Runs `fn(server, store)` against `<script> serve` on a fresh scratch directory whose `.env`
 * holds `env` (startHttp passes on no environment past the port and log level). With `pgUrl`,
 * Vigil's store is a fresh PostgreSQL schema, made here and dropped afterwards; `store.dbUrl`
 * reaches it. `fn` may call `server.stop()` to read the store after a clean stop; however `fn`
 * ends, the server is stopped and the directory removed.
 */
export async function withServer({ script, env = {}, pgUrl, nodeArgs = [] }, fn) {
  const { scratchDir, startHttp } = await import('./lib.mjs');
  const { randomBytes } = await import('node:crypto');
  const store = scratchDir();
  const schema = pgUrl && `vigil_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = schema && withSchema(pgUrl, schema);
  writeEnv(store.dir, { ...env, ...(dbUrl && { VIGIL_DATABASE_URL: dbUrl }) });
  if (schema) await pgQuery(pgUrl, `create schema ${schema}`);
  let server;
  let stopped;
  // startHttp's stop waits for an exit that comes once; a second call would wait for ever.
  const stop = () => {
    stopped ??= server.stop();
    return stopped;
  };
  try {
    server = await startHttp({ script }, store.dir, nodeArgs);
    return await fn({ ...server, stop }, { dir: store.dir, dbUrl });
  } finally {
    if (server) await stop();
    if (schema) await pgQuery(pgUrl, `drop schema if exists ${schema} cascade`).catch(() => undefined);
    store.remove();
  }
}

/** Writes `env` as the `.env` a server started in `dir` reads. */
export function writeEnv(dir, env) {
  writeFileSync(
    join(dir, '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}

// ---------------------------------------------------------------------------------------------
// The ingestion benchmarks (enqueue, heartbeats): four server kinds, each on a fresh store.

/**
 * How to start one server kind: `vigilSqlite`, `vigilPostgres` (a fresh schema of `pgUrl`), or
 * the baseline `script` as `bare` or `sqliteInsert`, told which through its `.env`'s `storeVar`.
 */
export async function ingestServer(kind, script, storeVar, { pgUrl, nodeArgs = [] }) {
  const { TARGETS } = await import('./lib.mjs');
  const isVigil = kind.startsWith('vigil');
  return {
    script: isVigil ? TARGETS.vigil.script : script,
    env: isVigil ? { VIGIL_MODE: 'read_write' } : { [storeVar]: kind === 'sqliteInsert' ? 'sqlite' : 'none' },
    pgUrl: kind === 'vigilPostgres' ? pgUrl : undefined,
    nodeArgs,
  };
}

/**
 * What a server kind stored, read while it still runs and again after it has stopped cleanly:
 * `count(rows)` makes counts of the rows `queries` give. The bare baseline stores nothing.
 */
export async function storedLiveAndAfterStop(kind, server, store, queries, count) {
  const file = kind.startsWith('vigil') ? 'vigil.db' : 'baseline.db';
  const read = async () => (kind === 'bare' ? undefined : count(await storeRows(store, file, queries)));
  const storedLive = await read();
  await server.stop();
  return { storedLive, storedAfterStop: await read() };
}

/**
 * Each server kind's medians over its repetitions, its answers not counted, its acknowledged
 * requests (`okKey`) and whether all were stored; ratios pair each run with the baselines of the
 * same repetition.
 */
export async function ingestSummary(reps, u, okKey) {
  const { medians, pairedRatio } = await import('./lib.mjs');
  const paired = (name, base) => pairedRatio(reps[name], reps[base], u.rate);
  const summary = {};
  for (const [name, list] of Object.entries(reps)) {
    summary[name] = {
      ...medians(list, u.window),
      refused: refusedTotal(list),
      [okKey]: list.reduce((n, r) => n + r[okKey], 0),
      durable: list.every((r) => r.durable !== false),
      ...(name !== 'bare' && { vsBare: paired(name, 'bare') }),
      ...(name.startsWith('vigil') && { vsSqliteInsert: paired(name, 'sqliteInsert') }),
      reps: list,
    };
  }
  return summary;
}

/** A server kind's table row: its load cells, the ratios, the target, the refused and the stored. */
export function ingestRow(name, s, u, targetPerS, okKey) {
  return [
    name,
    ...loadCells(s, u),
    ratioCell(s.vsBare),
    ratioCell(s.vsSqliteInsert),
    name.startsWith('vigil') ? (s[u.rate] >= targetPerS ? 'yes' : '**no**') : '',
    s.refused,
    name === 'bare' ? '' : s.durable ? `yes (${s[okKey]})` : '**no**',
  ];
}

// ---------------------------------------------------------------------------------------------
// The stores.

/**
 * The rows of read-only `queries` on a store made by withServer: its PostgreSQL schema where it
 * has one, else the SQLite `file` in its directory, opened read-only (safe beside the server).
 */
export async function storeRows(store, file, queries) {
  if (store.dbUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: store.dbUrl, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      const out = [];
      for (const query of queries) out.push((await client.query(query)).rows);
      return out;
    } finally {
      await client.end();
    }
  }
  const SQLite = await loadSqlite();
  const db = new SQLite(join(store.dir, file), { readonly: true, fileMustExist: true });
  try {
    return queries.map((query) => db.prepare(query).all());
  } finally {
    db.close();
  }
}

/** better-sqlite3 as Vigil loads it: 13 where N-API 10 is there (Node 24), else 12. */
export async function loadSqlite() {
  const m = await (Number(process.versions.napi) >= 10
    ? import('better-sqlite3-13')
    : import('better-sqlite3'));
  return m.default;
}

/** VIGIL_BENCH_PG_URL, else the local test database. */
export const PG_URL = process.env.VIGIL_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers at `url`; when it does not, says so, and the run is SQLite only. */
export function pgAnswers(url) {
  return pgQuery(url, 'select 1').then(
    () => true,
    (err) => {
      log(`PostgreSQL at ${url} does not answer (${err.message}); SQLite only`);
      return false;
    },
  );
}

/** Runs one statement on a connection of its own; resolves with its rows. */
export async function pgQuery(url, statement) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/** `base` with the schema a run made as its search path, so Vigil's tables land in it. */
function withSchema(base, schema) {
  return `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

// ---------------------------------------------------------------------------------------------
// The tables.

/** Markdown table text: `head` (the header and alignment rows as written), then a row per cell list. */
export function markdownTable(head, rows) {
  return [...head, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

/** The cells every load run's row has, in this order: rate, p50, p99, server CPU per request, CPU share, RSS. */
export function loadCells(s, u) {
  return [
    s[u.rate].toFixed(0),
    `${s.p50Ms.toFixed(2)} ms`,
    `${s.p99Ms.toFixed(1)} ms`,
    `${s[u.cpu].toFixed(0)} µs`,
    `${(100 * s.serverCpuShare).toFixed(0)}%`,
    `${s.serverRssMb.toFixed(0)} MB`,
  ];
}

/** A paired ratio as the tables show it; blank where there is none. */
export function ratioCell(r) {
  return r === undefined ? '' : `${r.toFixed(2)}x`;
}

/**
 * The loopback HTTP and TCP targets of the checks benchmarks (`node bench/checks.mjs targets`) in
 * a process of their own, killed when this one exits; resolves with their addresses once they listen.
 */
export function startCheckTargets() {
  const script = fileURLToPath(new URL('checks.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, 'targets'], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      if (buffered.includes('\n'))
        resolve({ ...JSON.parse(buffered), pid: child.pid, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`targets exited (${code})`)));
  });
}
