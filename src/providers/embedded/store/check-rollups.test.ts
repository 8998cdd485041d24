/**
 * Rollups on SQLite and PostgreSQL: statistics over any window — whole days, hours and minutes
 * from rollups, part-minutes from raw results — count exactly what the raw results hold, with
 * percentiles at the bound of the right latency bucket.
 */
import { describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { ResultStatus } from '../../../core/checks.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider } from '../index.js';
import { BUCKET_BOUNDS, cover } from './check-rollups.js';

const MIN = 60_000;
const t0 = Date.parse('2026-06-01T00:00:00Z');

describe('cover', () => {
  it('splits a window into whole days, whole hours and minutes', () => {
    const iso = (ms: number) => new Date(ms).toISOString().slice(5, 16);
    const parts = cover(Date.parse('2026-06-01T22:30:20Z'), Date.parse('2026-06-03T01:15:00Z')).map(
      (p) => `${p.period} ${iso(p.from)}→${iso(p.to)}`,
    );
    expect(parts).toEqual([
      'd 06-02T00:00→06-03T00:00',
      'h 06-01T23:00→06-02T00:00',
      'm 06-01T22:31→06-01T23:00',
      'h 06-03T00:00→06-03T01:00',
      'm 06-03T01:00→06-03T01:15',
    ]);
  });
});

describe.each(STORES)('rollups on $kind', (store) => {
  it('give the same counts as the raw results for windows of every shape', async ({ skip: s }) => {
    if (!(await storeAvailable(store.kind))) s();
    const p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
    try {
      const check = await p.ports.checks.createCheck({
        name: 'x',
        type: 'tcp',
        host: 'db',
        port: 5432,
        interval: 60,
      });
      // Three days of runs every 7 minutes and 13 s, statuses and latencies in a fixed pattern.
      const statuses: ResultStatus[] = ['ok', 'ok', 'ok', 'degraded', 'failed', 'ok', 'timeout'];
      const runs = Array.from({ length: 600 }, (_, i) => ({
        checkId: check.id,
        token: 'test',
        dueAt: t0 + i * 433_000,
        at: t0 + i * 433_000,
        result: {
          status: statuses[i % 7] as ResultStatus,
          response_time: (i * 37) % 900,
          error_message: null,
          check_metadata: {},
        },
      }));
      // Recorded as the scheduler records: each batch under a claim on the check.
      for (let i = 0; i < runs.length; i += 100) {
        await p.db.updateTable('checks').set({ claim_token: 'test' }).where('id', '=', check.id).execute();
        await p.ports.checks.runs.record(runs.slice(i, i + 100));
      }
      const windows = [
        [t0, t0 + 3 * 86_400_000],
        [t0 + 12_345, t0 + 86_400_000 + 3_600_000 + 59_999],
        [t0 + 5 * MIN + 1, t0 + 5 * MIN + 30_000],
        [t0 + 23 * 3_600_000, t0 + 49 * 3_600_000 + 17 * MIN],
      ] as const;
      for (const [since, until] of windows) {
        const inside = runs.filter((r) => r.at >= since && r.at < until);
        const stats = await p.ports.checks.statistics(check.id, { since, until });
        const count = (st: ResultStatus) => inside.filter((r) => r.result.status === st).length;
        expect(stats.total, `${since}-${until}`).toBe(inside.length);
        expect(stats.by_status).toEqual({
          ok: count('ok'),
          degraded: count('degraded'),
          failed: count('failed'),
          timeout: count('timeout'),
        });
        if (inside.length === 0) continue;
        const times = inside.map((r) => r.result.response_time).sort((a, b) => a - b);
        expect(stats.response_time?.min).toBe(times[0]);
        expect(stats.response_time?.max).toBe(times.at(-1));
        expect(stats.response_time?.avg).toBe(Math.round(times.reduce((a, b) => a + b, 0) / times.length));
        // The true median lies in the bucket whose upper bound is reported.
        const median = times[Math.ceil(0.5 * times.length) - 1] as number;
        const bound = BUCKET_BOUNDS.find((b) => median <= b) as number;
        expect(stats.response_time?.p50).toBe(Math.min(bound, times.at(-1) as number));
      }
    } finally {
      await p.close();
    }
  });
});
