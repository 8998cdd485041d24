#!/usr/bin/env node
/**
 * Checks at scale: 10,000 HTTP and 10,000 TCP checks every 60 s against loopback targets.
 * Targets: schedule lag p99 under 1 s, no missed runs, resident memory under 400 MB. Not part of
 * `npm run bench` (about 8 minutes): `node bench/checks.mjs`.
 *
 * - Targets: this file started with `targets`, in a child process of its own (so its CPU is
 *   not the server's): a node:http server answering 200 "ok" and a node:net server that accepts
 *   connections and closes them.
 * - Vigil (`dist/cli/main.js serve`, VIGIL_MODE=read_write, VIGIL_CHECK_CONCURRENCY from
 *   CHECKS_CONCURRENCY, default 200 as Vigil's own default) on a fresh SQLite store. Creating
 *   20,000 checks through MCP `create_check` takes about 15 ms each here (5 minutes), so the
 *   rows are written straight into the `checks` table (as CheckRepository.createCheck writes
 *   them) after one start of the server has migrated the store, and before the start that is
 *   measured. Their first runs are spread evenly over the minute that starts LEAD_S after the
 *   rows are written; every run after that is due 60 s after the one before.
 * - `baseline`: this file started with `baseline`, in its own process: the same 20,000 probes
 *   on the same due times, each rescheduled with setTimeout by the same rule as Vigil's
 *   (`nextRun`: 60 s after the last due time, skipping any that passed while it ran), at most
 *   the same number at once. HTTP probes are node:http GETs on a fresh connection, as Vigil's
 *   are; TCP probes are net.connect, closed on connect. What Node alone achieves here.
 *
 * Lag: when a run started − when it was due. For Vigil a run's start is its result's created_at
 * (taken when the probe finished) − its response_time, and its due time is reconstructed per
 * check from the first due time by Vigil's rule. Missed runs: due times in the window with no
 * run. The window is `minutes` long from the first due time; runs due after it are ignored,
 * and each server runs TAIL_S past it so the last runs can finish. The server's VmRSS and CPU
 * time are sampled every second from /proc, and VmHWM read at the end.
 *
 * Prints a markdown table and writes the raw numbers to bench/results/checks.json.
 * BENCH_QUICK=1 → 500 + 500 checks over one minute, for checking the script. CHECKS_CONCURRENCY
 * (default 200) is the most probes at once, for both servers; CHECKS_SERVERS (default
 * `baseline,vigil`) picks the servers; CHECKS_CPU_PROF_DIR runs Vigil under `--cpu-prof`.
 * docs/BENCHMARKS.md section 8.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSqlite, log, markdownTable, sleep, startCheckTargets, storeRows, writeEnv } from './shared.mjs';

const SELF = fileURLToPath(import.meta.url);
const INTERVAL_S = 60;
const TIMEOUT_S = 10;
const LEAD_S = 15; // from writing the rows to the first due time: the server's start fits in it
const TAIL_S = 20;
const SAMPLE_MS = 1_000;
const TARGET_P99_MS = 1_000;
const TARGET_RSS_MB = 400;

/** Vigil's rule (store/check-runs.ts): an interval after the last due time, skipping any passed. */
function nextRun(dueAt, intervalS, now) {
  const step = intervalS * 1000;
  const next = dueAt + step;
  return next > now ? next : next + Math.ceil((now - next + 1) / step) * step;
}

// ---------------------------------------------------------------------------------------------
// The loopback targets (`node bench/checks.mjs targets`): prints their ports as one JSON line.

function serveTargets() {
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end('ok\n');
  });
  const tcp = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.end();
  });
  let ready = 0;
  const onReady = () => {
    if (++ready < 2) return;
    process.stdout.write(
      `${JSON.stringify({ httpPort: http.address().port, tcpPort: tcp.address().port })}\n`,
    );
  };
  http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, onReady);
  tcp.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, onReady);
  process.on('SIGTERM', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// The baseline scheduler (`node bench/checks.mjs baseline <plan.json> <out.json>`).

function probeHttp(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

function probeTcp(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => socket.destroy(new Error('timeout')));
    socket.once('error', () => resolve(false));
  });
}

async function serveBaseline(planFile, outFile) {
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  const runs = []; // [check index, due, start, end, ok]
  let running = 0;
  const waiting = [];
  const acquire = () => {
    if (running >= plan.concurrency) return new Promise((r) => waiting.push(r));
    running++;
    return Promise.resolve();
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const schedule = (i, due) => {
    setTimeout(
      async () => {
        await acquire();
        const check = plan.checks[i];
        const start = Date.now();
        const ok = await (check.type === 'web'
          ? probeHttp(check.url, TIMEOUT_S * 1000)
          : probeTcp(check.host, check.port, TIMEOUT_S * 1000));
        const end = Date.now();
        release();
        runs.push([i, due, start, end, ok ? 1 : 0]);
        if (end < plan.stopAt) schedule(i, nextRun(due, INTERVAL_S, end));
      },
      Math.max(0, due - Date.now()),
    );
  };
  for (const [i, c] of plan.checks.entries()) schedule(i, c.due0);
  await sleep(plan.stopAt - Date.now());
  writeFileSync(outFile, JSON.stringify(runs));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The plan: every check's target and first due time, shared by Vigil's rows and the baseline.

function makePlan(perType, targets, concurrency) {
  const first = Date.now() + LEAD_S * 1000;
  const total = perType * 2;
  const checks = [];
  for (let i = 0; i < total; i++) {
    // Interleaved, so HTTP and TCP runs are spread alike over the minute.
    const due0 = first + Math.floor((i * INTERVAL_S * 1000) / total);
    checks.push(
      i % 2 === 0
        ? { type: 'web', url: `http://127.0.0.1:${targets.httpPort}/health`, due0 }
        : { type: 'tcp', host: '127.0.0.1', port: targets.tcpPort, due0 },
    );
  }
  return { first, checks, concurrency };
}

/** Writes the plan's checks into a migrated Vigil store, as CheckRepository.createCheck would. */
async function insertChecks(dbFile, plan) {
  const SQLite = await loadSqlite();
  const db = new SQLite(dbFile);
  const at = new Date().toISOString();
  const insert = db.prepare(
    `insert into checks (id, name, type, url, host, port, interval, timeout, active, position, group_id,
       parameters, failure_threshold, recovery_threshold, status, consecutive, last_result,
       last_checked_at, next_run_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ${INTERVAL_S}, ${TIMEOUT_S}, 1, 0, null, '{}', 1, 1, 'pending', 0, null,
       null, ?, ?, ?)`,
  );
  const ids = [];
  db.transaction(() => {
    plan.checks.forEach((c, i) => {
      const id = `PBENCH${String(i).padStart(8, '0')}`; // Vigil's shape: P + 13 letters or digits
      ids.push(id);
      insert.run(
        id,
        `bench-${c.type}-${i}`,
        c.type,
        c.url ?? null,
        c.host ?? null,
        c.port ?? null,
        c.due0,
        at,
        at,
      );
    });
  })();
  db.close();
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Measuring a server process while it runs its checks.

async function sampler(pid) {
  const { cpuMs, memoryMb } = await import('./lib.mjs');
  const samples = [];
  const take = () => {
    try {
      samples.push({ t: Date.now(), cpuMs: cpuMs(pid), rssMb: memoryMb(pid).rss });
    } catch {
      // the process has gone
    }
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    samples,
    stop: () => {
      take();
      clearInterval(timer);
      return { ...summarizeSamples(samples), peakHwmMb: memoryMbSafe(memoryMb, pid) };
    },
  };
}

function memoryMbSafe(memoryMb, pid) {
  try {
    return memoryMb(pid).peak;
  } catch {
    return null;
  }
}

function summarizeSamples(samples) {
  return { rssPeakSampledMb: Math.max(...samples.map((s) => s.rssMb)), rssEndMb: samples.at(-1)?.rssMb };
}

/** CPU share of a core over [from, to], from the samples nearest inside it. */
function cpuShare(samples, from, to) {
  const inside = samples.filter((s) => s.t >= from && s.t <= to);
  const a = inside[0];
  const b = inside.at(-1);
  if (!a || a === b) return null;
  return (b.cpuMs - a.cpuMs) / (b.t - a.t);
}

/** Lag and missed runs from per-check runs ({check, due, start}), over due times in [from, to). */
function analyse(plan, runsByCheck, from, to, percentile) {
  const lags = [];
  // Lags of the runs due in each minute of the window.
  const byMinute = Array.from({ length: Math.ceil((to - from) / (INTERVAL_S * 1000)) }, () => []);
  const byType = { web: [], tcp: [] };
  let missed = 0;
  let early = 0;
  let expected = 0;
  plan.checks.forEach((c, i) => {
    const runs = runsByCheck[i] ?? [];
    const dues = new Set();
    for (const r of runs) {
      if (r.due < from || r.due >= to) continue;
      if (dues.has(r.due)) early++; // a second run for one due time
      dues.add(r.due);
      lags.push(r.start - r.due);
      byMinute[Math.floor((r.due - from) / (INTERVAL_S * 1000))].push(r.start - r.due);
      byType[c.type].push(r.start - r.due);
    }
    for (let d = c.due0; d < to; d += INTERVAL_S * 1000) {
      if (d < from) continue;
      expected++;
      if (!dues.has(d)) missed++;
    }
  });
  const sorted = Float64Array.from(lags).sort();
  const p99 = (list) => percentile(Float64Array.from(list).sort(), 99);
  return {
    expected,
    runs: lags.length,
    missed,
    duplicates: early,
    negativeLag: lags.filter((l) => l < -5).length,
    lagP50Ms: percentile(sorted, 50),
    lagP90Ms: percentile(sorted, 90),
    lagP99Ms: percentile(sorted, 99),
    lagMaxMs: sorted.at(-1),
    lagP99ByMinuteMs: byMinute.map(p99),
    lagP99ByTypeMs: { http: p99(byType.web), tcp: p99(byType.tcp) },
  };
}

/** Vigil's runs per check, each with its due time rebuilt by the scheduler's own rule. */
async function vigilRuns(dir, ids) {
  const index = new Map(ids.map((id, i) => [id, i]));
  const [rows, byStatus] = await storeRows({ dir }, 'vigil.db', [
    `select check_id, created_at, response_time, status from check_results
       where result_type = 'regular' order by check_id, created_at`,
    'select status, count(*) as n from check_results group by status',
  ]);
  const statuses = {};
  for (const r of byStatus) statuses[r.status] = r.n;
  return { rows, index, statuses };
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark.

async function runVigil(plan, windowEnd, concurrency) {
  const { scratchDir, startHttp, TARGETS } = await import('./lib.mjs');
  const store = scratchDir();
  writeEnv(store.dir, { VIGIL_MODE: 'read_write', VIGIL_CHECK_CONCURRENCY: concurrency });
  try {
    // One start migrates the store; the rows go in while no server runs.
    const migrate = await startHttp(TARGETS.vigil, store.dir);
    await migrate.stop();
    const ids = await insertChecks(join(store.dir, 'vigil.db'), plan);
    log(`${ids.length} checks written; first due in ${((plan.first - Date.now()) / 1000).toFixed(1)} s`);
    const profDir = process.env.CHECKS_CPU_PROF_DIR;
    const server = await startHttp(
      TARGETS.vigil,
      store.dir,
      profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    );
    const probe = await sampler(server.pid);
    await sleep(windowEnd + TAIL_S * 1000 - Date.now());
    const mem = probe.stop();
    await server.stop();
    const { rows, index, statuses } = await vigilRuns(store.dir, ids);
    // Due times rebuilt per check: the first from the plan, each next by nextRun at the finish.
    const runsByCheck = plan.checks.map(() => []);
    let current = -1;
    let due = 0;
    for (const r of rows) {
      const i = index.get(r.check_id);
      if (i !== current) {
        current = i;
        due = plan.checks[i].due0;
      }
      runsByCheck[i].push({ due, start: r.created_at - r.response_time });
      due = nextRun(due, INTERVAL_S, r.created_at);
    }
    return { samples: probe.samples, mem, runsByCheck, statuses, results: rows.length };
  } finally {
    store.remove();
  }
}

async function runBaseline(plan, windowEnd) {
  const { scratchDir } = await import('./lib.mjs');
  const dir = scratchDir();
  try {
    const planFile = join(dir.dir, 'plan.json');
    const outFile = join(dir.dir, 'runs.json');
    writeFileSync(planFile, JSON.stringify({ ...plan, stopAt: windowEnd + TAIL_S * 1000 }));
    const child = spawn(process.execPath, [SELF, 'baseline', planFile, outFile], { stdio: 'inherit' });
    process.on('exit', () => child.kill('SIGKILL'));
    const probe = await sampler(child.pid);
    let mem;
    await new Promise((resolve) => {
      // Read memory just before it exits: the end of the window plus the tail.
      setTimeout(
        () => {
          mem = probe.stop();
        },
        windowEnd + TAIL_S * 1000 - Date.now() - 200,
      );
      child.once('exit', resolve);
    });
    const runs = JSON.parse(readFileSync(outFile, 'utf8'));
    const runsByCheck = plan.checks.map(() => []);
    for (const [i, due, start] of runs) runsByCheck[i].push({ due, start });
    const ok = runs.filter((r) => r[4] === 1).length;
    return {
      samples: probe.samples,
      mem,
      runsByCheck,
      statuses: { ok, failed: runs.length - ok },
      results: runs.length,
    };
  } finally {
    dir.remove();
  }
}

async function main() {
  const { percentile, writeResults } = await import('./lib.mjs');
  const QUICK = process.env.BENCH_QUICK === '1';
  const perType = QUICK ? 500 : 10_000;
  const minutes = QUICK ? 1 : 3;
  const concurrency = Number(process.env.CHECKS_CONCURRENCY ?? 200);
  const started = Date.now();
  const loadBefore = loadavg()[0];
  // Count the server's warnings and errors, which lib.mjs's startHttp forwards to our stderr.
  const serverLines = { warn: 0, error: 0, examples: [] };
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    const text = String(chunk);
    const level = /"level":([456])0/.exec(text)?.[1];
    if (level) {
      serverLines[level === '4' ? 'warn' : 'error']++;
      if (serverLines.examples.length < 5) serverLines.examples.push(text.slice(0, 500));
    }
    return write(chunk, ...rest);
  };
  const targets = await startCheckTargets();
  const out = {};
  for (const kind of (process.env.CHECKS_SERVERS ?? 'baseline,vigil').split(',')) {
    const plan = makePlan(perType, targets, concurrency);
    const windowEnd = plan.first + minutes * INTERVAL_S * 1000;
    log(
      `${kind}: ${plan.checks.length} checks every ${INTERVAL_S} s for ${minutes} min, at most ${concurrency} at once`,
    );
    const targetsCpu0 = (await import('./lib.mjs')).cpuMs(targets.pid);
    const run =
      kind === 'vigil' ? await runVigil(plan, windowEnd, concurrency) : await runBaseline(plan, windowEnd);
    const verdict = analyse(plan, run.runsByCheck, plan.first, windowEnd, percentile);
    out[kind] = {
      ...verdict,
      resultsPerSecond: (verdict.runs / (windowEnd - plan.first)) * 1000,
      cpuShare: cpuShare(run.samples, plan.first, windowEnd),
      targetsCpuMs: (await import('./lib.mjs')).cpuMs(targets.pid) - targetsCpu0,
      ...run.mem,
      statuses: run.statuses,
      resultsStored: run.results,
      rssSamples: run.samples.map((s) => [s.t - plan.first, Math.round(s.rssMb), s.cpuMs]),
    };
    log(
      `${kind}: lag p50 ${verdict.lagP50Ms} ms p99 ${verdict.lagP99Ms} ms, missed ${verdict.missed}/${verdict.expected}`,
    );
  }
  targets.stop();
  process.stderr.write = write;
  const results = writeResults('checks.json', loadBefore, {
    plan: {
      perType,
      minutes,
      intervalS: INTERVAL_S,
      timeoutS: TIMEOUT_S,
      concurrency,
      created: 'rows written to the store',
    },
    serverLog: serverLines,
    summary: out,
    durationS: (Date.now() - started) / 1000,
  });
  console.log(table(out));
  log(`server log: ${serverLines.warn} warnings, ${serverLines.error} errors`);
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/checks.json`);
}

function table(summary) {
  const ms = (v) =>
    v === undefined ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
  const head = [
    '| Server | lag p50 | lag p90 | lag p99 | lag max | runs / expected | missed | dupl. | results/s | CPU | RSS peak (sampled / VmHWM) | p99 < 1 s, 0 missed, < 400 MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const rows = Object.entries(summary).map(([name, s]) => {
    const met =
      s.lagP99Ms < TARGET_P99_MS && s.missed === 0 && (s.peakHwmMb ?? s.rssPeakSampledMb) < TARGET_RSS_MB;
    return [
      name,
      ms(s.lagP50Ms),
      ms(s.lagP90Ms),
      ms(s.lagP99Ms),
      ms(s.lagMaxMs),
      `${s.runs} / ${s.expected}`,
      s.missed,
      s.duplicates,
      s.resultsPerSecond.toFixed(0),
      s.cpuShare === null ? '—' : `${(100 * s.cpuShare).toFixed(0)}%`,
      `${s.rssPeakSampledMb.toFixed(0)} / ${s.peakHwmMb?.toFixed(0) ?? '—'} MB`,
      name === 'vigil' ? (met ? 'yes' : '**no**') : '',
    ];
  });
  return markdownTable(head, rows);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'targets') serveTargets();
  else if (process.argv[2] === 'baseline') await serveBaseline(process.argv[3], process.argv[4]);
  else await main();
}
