#!/usr/bin/env node
/**
 * `get_check_statistics` over a year of minute rollups: one check with a year of results rolled
 * up per minute, hour and day (525,600 + 8,760 + 365 rows) in Vigil's SQLite store, and the
 * statistics asked for windows of a year, a month, a day and an hour that start and end mid-minute
 * (so raw results at the edges are read too). Target: under 50 ms. Not part of `npm run bench`:
 * `node bench/statistics.mjs` (needs a build). docs/BENCHMARKS.md section 10.
 *
 * The rollups are written with the store's own `rollUp` (a year of one result a minute), so the
 * rows are the ones the scheduler writes. Baseline in the same run: the same year computed from
 * raw results instead — what statistics cost without rollups — on a week of raw results scaled
 * by 52 (a year of raw rows for one check is past any retention). Each query runs RUNS times
 * after WARMUP; medians and p90. BENCH_QUICK=1 seeds a month instead of a year.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../dist/core/log.js';
import { createEmbeddedProvider } from '../dist/providers/embedded/index.js';
import { rollUp } from '../dist/providers/embedded/store/check-rollups.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DAYS = QUICK ? 30 : 365;
const RUNS = QUICK ? 5 : 30;
const WARMUP = 3;
const MIN = 60_000;
const DAY = 86_400_000;
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'degraded', 'failed'];

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function time(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { p50: quantile(ms, 0.5), p90: quantile(ms, 0.9) };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-stats-'));
const p = await createEmbeddedProvider({ dataDir: dir, log: silentLogger() });
try {
  const { checks } = p.ports;
  const check = await checks.createCheck({ name: 'API', type: 'tcp', host: 'db', port: 5432, interval: 60 });
  const start = Date.parse('2025-11-21T00:00:00Z');
  const end = start + DAYS * DAY;
  const t0 = performance.now();
  for (let day = 0; day < DAYS; day++) {
    const results = Array.from({ length: 1440 }, (_, m) => ({
      check_id: check.id,
      created_at: start + day * DAY + m * MIN + 17_000,
      status: STATUSES[(day * 1440 + m) % STATUSES.length],
      response_time: 20 + (((day * 1440 + m) * 37) % 400),
    }));
    await p.db.transaction().execute((trx) => rollUp(trx, results));
  }
  const seeded = performance.now() - t0;
  const rows = await p.db
    .selectFrom('check_rollups')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const mid = 7_500; // windows start and end 7.5 s into a minute
  const windows = [
    ['a year', start + mid, end - mid],
    ['a month', end - 30 * DAY + mid, end - mid],
    ['a day', end - DAY + mid, end - mid],
    ['an hour', end - 3_600_000 + mid, end - mid],
  ];
  const out = [];
  for (const [label, since, until] of windows) {
    const r = await time(() => checks.statistics(check.id, { since, until }));
    out.push({ label: `statistics over ${label}`, ...r });
  }
  // Baseline: a week of raw results (one a minute), summed the way statistics without rollups would.
  const week = Array.from({ length: 7 * 1440 }, (_, i) => ({
    id: `r${i}`,
    check_id: check.id,
    created_at: end + i * MIN,
    status: STATUSES[i % STATUSES.length],
    response_time: 20 + ((i * 37) % 400),
    error_message: null,
    metadata: '{}',
    result_type: 'regular',
  }));
  for (let i = 0; i < week.length; i += 500)
    await p.db
      .insertInto('check_results')
      .values(week.slice(i, i + 500))
      .execute();
  const raw = await time(async () => {
    const rows = await p.db
      .selectFrom('check_results')
      .select(['status', 'response_time'])
      .where('check_id', '=', check.id)
      .where('created_at', '>=', end)
      .execute();
    rows.map((r) => r.response_time).sort((a, b) => a - b);
  });
  out.push({ label: 'baseline: a week of raw results, read and sorted', ...raw });
  console.log(
    `\nSeeded ${DAYS} days (${rows?.n} rollup rows) in ${(seeded / 1000).toFixed(1)} s; ${RUNS} runs each after ${WARMUP}; Node ${process.version}\n`,
  );
  console.log('| Measurement | p50 | p90 |');
  console.log('|---|---:|---:|');
  for (const r of out) console.log(`| ${r.label} | ${r.p50.toFixed(2)} ms | ${r.p90.toFixed(2)} ms |`);
  console.log(`\nA year from raw results would be about 52 x the week: ~${(raw.p50 * 52).toFixed(0)} ms.`);
} finally {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
}
