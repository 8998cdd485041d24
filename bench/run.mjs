#!/usr/bin/env node
/**
 * `npm run bench`: Vigil beside a bare MCP SDK server (bench/baseline-server.mjs) in one run:
 * cold start, stdio round trip, memory after 10,000 calls, and Streamable HTTP throughput at
 * 50 clients (also Vigil with an API key, the authenticated production path). Prints a
 * markdown table and writes the raw numbers to bench/results/latest.json. Needs a build
 * (`npm run build`). BENCH_QUICK=1 shortens every stage, for checking the scripts.
 * docs/BENCHMARKS.md describes the method and the latest results.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { coldStart } from './cold-start.mjs';
import { httpRun } from './http.mjs';
import { keyedCopy, medians, pairedRatio, SEED_USERS, scratchDir, seedVigil, TARGETS } from './lib.mjs';
import { log, unit } from './shared.mjs';
import { stdioRun } from './stdio.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const PLAN = QUICK
  ? {
      coldRuns: 2,
      stdio: { warmup: 100, calls: 300, reps: 1, total: 1000 },
      http: { clients: 50, seconds: 2, warmupS: 1 },
      httpReps: 1,
    }
  : {
      coldRuns: 9,
      stdio: { warmup: 1000, calls: 2000, reps: 3, total: 10_000 },
      http: { clients: 50, seconds: 10, warmupS: 2 },
      httpReps: 3,
    };

if (!existsSync(TARGETS.vigil.script)) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}

// The numbers belong to the build in dist/, which may be older than the checked-out source.
const distBuiltAt = statSync(TARGETS.vigil.script).mtime;
const srcDir = new URL('../src/', import.meta.url);
const distStale = readdirSync(srcDir, { recursive: true }).some(
  (f) => statSync(new URL(f, srcDir)).mtime > distBuiltAt,
);
if (distStale) log('warning: src/ has changed since dist/ was built; run `npm run build` to measure it');
const started = Date.now();
const loadBefore = loadavg()[0];
const store = scratchDir();
let keyed;
try {
  log(`seeding ${SEED_USERS} users in one team into ${store.dir}`);
  const seed = await seedVigil(store.dir);
  keyed = keyedCopy(store.dir);

  log(`cold start, ${PLAN.coldRuns} runs each`);
  const cold = await coldStart(TARGETS, store.dir, { runs: PLAN.coldRuns });

  const stdio = {};
  for (const [name, target] of Object.entries(TARGETS)) {
    log(`stdio ${name}: ${PLAN.stdio.reps} x ${PLAN.stdio.calls} timed calls, ${PLAN.stdio.total} in all`);
    stdio[name] = await stdioRun(target, store.dir, seed, PLAN.stdio);
  }

  // Repetitions interleave the servers, so a noisy spell on the machine hits them alike.
  const runs = {
    vigil: () => httpRun(TARGETS.vigil, store.dir, seed, PLAN.http),
    baseline: () => httpRun(TARGETS.baseline, store.dir, seed, PLAN.http),
    vigilApiKey: () => httpRun(TARGETS.vigil, keyed.dir, seed, { ...PLAN.http, apiKey: keyed.key }),
  };
  const httpReps = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let rep = 0; rep < PLAN.httpReps; rep++) {
    for (const [name, run] of Object.entries(runs)) {
      log(
        `http ${name} rep ${rep + 1}/${PLAN.httpReps}: ${PLAN.http.clients} clients for ${PLAN.http.seconds} s`,
      );
      httpReps[name].push(await run());
    }
  }
  const calls = unit('calls', 'Call');
  const failed = Object.values(httpReps)
    .flat()
    .reduce((n, r) => n + r.failures, 0);
  if (failed) log(`warning: ${failed} HTTP calls failed; their numbers are suspect`);
  const http = {};
  for (const [name, reps] of Object.entries(httpReps)) {
    http[name] = {
      ...medians(reps, calls.window),
      // Each repetition's Vigil run sits beside a baseline run, so their ratios pair up.
      ...(name !== 'baseline' && {
        throughputRatioPairedMedian: pairedRatio(reps, httpReps.baseline, calls.rate),
      }),
      reps,
    };
  }

  const results = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    dist: { builtAt: distBuiltAt.toISOString(), olderThanSrc: distStale },
    quick: QUICK,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage1m: { before: loadBefore, after: loadavg()[0] }, // other work on the machine
    },
    plan: PLAN,
    workload: {
      vigil: `${TARGETS.vigil.tool} for a team of ${SEED_USERS} users (SQLite store)`,
      baseline: `${TARGETS.baseline.tool} (returns its arguments)`,
    },
    coldStart: cold,
    stdio,
    http,
    durationS: (Date.now() - started) / 1000,
  };
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('results/latest.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(results));
  log(`done in ${results.durationS.toFixed(0)} s; raw results in bench/results/latest.json`);
} finally {
  store.remove();
  keyed?.remove();
}

function table({ coldStart: c, stdio: s, http: h }) {
  const lines = [
    '| Measurement | Vigil | Baseline | Vigil / baseline | Target | Met |',
    '|---|---:|---:|---:|---|---|',
  ];
  const pair = (stage, key, vigil = 'vigil') => [stage[vigil][key], stage.baseline[key]];
  /** One row; `met(vigil, ratio)` decides the Met column when there is a target. */
  const add = (label, [v, b], unit, decimals, target = '', met = undefined, ratio = v / b) => {
    const metText = met ? (met(v, ratio) ? 'yes' : '**no**') : '';
    const cell = (n) => `${n.toFixed(decimals)} ${unit}`;
    lines.push(`| ${label} | ${cell(v)} | ${cell(b)} | ${ratio.toFixed(2)}x | ${target} | ${metText} |`);
  };
  const rss = [s.vigil.memory.rssMb, s.baseline.memory.rssMb];
  add('Cold start to first tools/list (median)', pair(c, 'medianMs'), 'ms', 0, '< 500 ms', (v) => v < 500);
  add('stdio round trip p50', pair(s, 'p50Ms'), 'ms', 3, '< 1 ms', (v) => v < 1);
  add('stdio round trip p99', pair(s, 'p99Ms'), 'ms', 3);
  add('stdio server CPU per call', pair(s, 'serverCpuUsPerCall'), 'µs', 0);
  add(`stdio server RSS after ${s.vigil.memory.calls} calls`, rss, 'MB', 1, '< 150 MB', (v) => v < 150);
  // Throughput's ratio is the median over repetitions of each Vigil / baseline pair (robust to drift).
  const paired = h.vigil.throughputRatioPairedMedian;
  const atLeast07 = (_, r) => r >= 0.7;
  add('HTTP throughput, 50 clients', pair(h, 'callsPerSecond'), 'calls/s', 0, '≥ 0.7x', atLeast07, paired);
  add('HTTP latency p99, 50 clients', pair(h, 'p99Ms'), 'ms', 1);
  add('HTTP server CPU per call', pair(h, 'serverCpuUsPerCall'), 'µs', 0);
  add('HTTP server RSS after the run', pair(h, 'serverRssMb'), 'MB', 1);
  const withKey = h.vigilApiKey.throughputRatioPairedMedian;
  add(
    'HTTP throughput, Vigil with an API key',
    pair(h, 'callsPerSecond', 'vigilApiKey'),
    'calls/s',
    0,
    '',
    undefined,
    withKey,
  );
  add('HTTP server CPU per call, with an API key', pair(h, 'serverCpuUsPerCall', 'vigilApiKey'), 'µs', 0);
  return lines.join('\n');
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
