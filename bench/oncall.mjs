#!/usr/bin/env node
/**
 * On-call for a year: `get_oncalls` across 50 schedules for a 365-day window, on Vigil's SQLite
 * store, in process (the embedded provider's port, as the tool calls it). Not part of
 * `npm run bench`: `node bench/oncall.mjs` (needs a build). docs/BENCHMARKS.md section 9.
 *
 * Seed: 50 users; 50 schedules in five time zones (Europe/Berlin, America/New_York, Asia/Tokyo,
 * Australia/Sydney, UTC), each with two layers — a weekly rotation of 5 users, and above it a
 * daily rotation of 3 users restricted to weeknights (five weekly restrictions, 18:00 for 14 h)
 * — and 20 overrides of 8 hours spread over the year; 50 escalation policies, level 1 one
 * schedule and level 2 the next. One query asks for every policy's shifts over the year: about
 * 100 schedule targets, rendered from 50 schedules.
 *
 * Timed (each `RUNS` times after `WARMUP` untimed runs; medians and p90):
 * - `get_oncalls`: `listOncalls` for all 50 policies, 365 days, first page of 1,000 (every
 *   shift of the year is computed and sorted to know the page and whether there is more).
 * - `earliest`: the same with `earliest: true`.
 * - baseline, `read only`: the same store reads `get_oncalls` makes (policies, rules and
 *   targets; the 50 schedules' layers, members and overrides), without rendering anything.
 * - `render only`: the 50 schedules rendered for the year from memory, with no store read.
 * BENCH_QUICK=1 runs fewer repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../dist/core/log.js';
import { renderSchedule } from '../dist/core/rotation.js';
import { createEmbeddedProvider } from '../dist/providers/embedded/index.js';
import { loadSchedules } from '../dist/providers/embedded/store/schedule-render.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = QUICK ? 5 : 30;
const WARMUP = QUICK ? 1 : 5;
const SCHEDULES = 50;
const DAY = 86_400_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function time(label, fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = await fn();
    ms.push(performance.now() - t0);
  }
  return { label, p50: quantile(ms, 0.5), p90: quantile(ms, 0.9), result };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-oncall-'));
const p = await createEmbeddedProvider({ dataDir: dir, log: silentLogger() });
try {
  const { directory, schedules, escalation } = p.ports;
  const users = [];
  for (let i = 0; i < 50; i++) {
    users.push((await directory.createUser({ name: `User ${i}`, email: `u${i}@x.io` })).id);
  }
  const since = Date.parse('2027-01-01T00:00:00Z');
  const until = since + 365 * DAY;
  const scheduleIds = [];
  for (let i = 0; i < SCHEDULES; i++) {
    const pick = (n, offset) => Array.from({ length: n }, (_, k) => users[(i + offset + k) % users.length]);
    const s = await schedules.createSchedule({
      name: `Schedule ${i}`,
      time_zone: ZONES[i % ZONES.length],
      schedule_layers: [
        { start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 7 * 86_400, users: pick(5, 0) },
        {
          start: '2026-01-05T18:00:00Z',
          rotation_turn_length_seconds: 86_400,
          users: pick(3, 5),
          restrictions: [1, 2, 3, 4, 5].map((d) => ({
            type: 'weekly_restriction',
            start_day_of_week: d,
            start_time_of_day: '18:00:00',
            duration_seconds: 14 * 3600,
          })),
        },
      ],
    });
    for (let k = 0; k < 20; k++) {
      const start = since + Math.floor(((k + 0.5) * 365 * DAY) / 20);
      await schedules.createOverride(s.id, {
        start: new Date(start).toISOString(),
        end: new Date(start + 8 * 3600_000).toISOString(),
        user_id: users[(i + k + 9) % users.length],
      });
    }
    scheduleIds.push(s.id);
  }
  const policyIds = [];
  for (let i = 0; i < SCHEDULES; i++) {
    const level = (id) => ({
      escalation_delay_in_minutes: 10,
      targets: [{ id, type: 'schedule_reference' }],
    });
    const policy = await escalation.createPolicy({
      name: `Policy ${i}`,
      escalation_rules: [level(scheduleIds[i]), level(scheduleIds[(i + 1) % SCHEDULES])],
    });
    policyIds.push(policy.id);
  }

  const query = { policyIds, since, until, limit: 1000, offset: 0 };
  const all = await time('get_oncalls, 50 policies × 365 days', () => schedules.listOncalls(query));
  const first = await time('get_oncalls with earliest', () =>
    schedules.listOncalls({ ...query, earliest: true }),
  );
  const reach = { since: since - 31 * DAY, until: until + 31 * DAY };
  const readOnly = await time('baseline: the store reads alone', async () => {
    await p.db.selectFrom('escalation_policies').selectAll().where('id', 'in', policyIds).execute();
    await p.db.selectFrom('escalation_rules').selectAll().where('policy_id', 'in', policyIds).execute();
    await p.db.selectFrom('escalation_targets').selectAll().execute();
    return loadSchedules(p.db, scheduleIds, reach);
  });
  const stored = readOnly.result;
  const renderOnly = await time('render only (50 schedules, in memory)', () => {
    let shifts = 0;
    for (const s of stored.values()) {
      const overrides = s.overrides.map((o) => ({ start: o.start_at, end: o.end_at, userId: o.user_id }));
      shifts += renderSchedule(
        s.layers.map((l) => l.spec),
        overrides,
        s.tz,
        reach.since,
        reach.until,
      ).final.length;
    }
    return shifts;
  });

  const rows = [all, first, readOnly, renderOnly];
  console.log(`\n${RUNS} runs each after ${WARMUP} warm-up runs; Node ${process.version}\n`);
  console.log('| Measurement | p50 | p90 |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.p50.toFixed(1)} ms | ${r.p90.toFixed(1)} ms |`);
  console.log(
    `\nShifts on the first page: ${all.result.items.length} (more: ${all.result.more}); ` +
      `with earliest: ${first.result.items.length}; final-schedule shifts rendered: ${renderOnly.result}.`,
  );
  console.log(`get_oncalls / store reads alone: ${(all.p50 / readOnly.p50).toFixed(1)}x`);
} finally {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
}
