/**
 * Check results rolled up per minute, hour and day (UTC): counts by status, response time sum,
 * min and max, and a histogram over fixed buckets, so that any window's uptime and percentiles
 * come from a few hundred rows — whole days, then whole hours, then minutes at the edges —
 * instead of every result. Rows are added to with upserts, never read first.
 */
import { type Kysely, sql } from 'kysely';
import type { CheckStatistics, ResultStatus } from '../../../core/checks.js';
import type { Buckets, CheckResultsTable, CheckRollupsTable, Database } from './schema.js';

/** Upper bounds of the latency buckets, in ms; the last bucket holds everything above. */
export const BUCKET_BOUNDS = [10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10_000, 30_000];
const BUCKETS = Object.keys(Array.from({ length: 16 })).map((i) => `b${i}` as keyof Buckets);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PERIODS = [
  ['m', MINUTE],
  ['h', HOUR],
  ['d', DAY],
] as const;
/** A rollup row's period: a minute, an hour or a day (UTC). */
export type RollupPeriod = (typeof PERIODS)[number][0];

export const ROLLUP_RETENTION_MS = 400 * DAY;

function bucketOf(ms: number): number {
  const i = BUCKET_BOUNDS.findIndex((b) => ms <= b);
  return i === -1 ? BUCKET_BOUNDS.length : i;
}

/** Adds results to their minute, hour and day rows. */
export async function rollUp(
  db: Kysely<Database>,
  results: readonly Pick<CheckResultsTable, 'check_id' | 'created_at' | 'status' | 'response_time'>[],
): Promise<void> {
  const rows = new Map<string, CheckRollupsTable>();
  for (const r of results) {
    for (const [period, size] of PERIODS) {
      const start = Math.floor(r.created_at / size) * size;
      const key = `${r.check_id}|${period}|${start}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          check_id: r.check_id,
          period,
          start_at: start,
          total: 0,
          ok: 0,
          degraded: 0,
          failed: 0,
          timeout: 0,
          sum_ms: 0,
          min_ms: r.response_time,
          max_ms: r.response_time,
          ...(Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Buckets),
        };
        rows.set(key, row);
      }
      row.total++;
      row[r.status]++;
      row.sum_ms += r.response_time;
      row.min_ms = Math.min(row.min_ms, r.response_time);
      row.max_ms = Math.max(row.max_ms, r.response_time);
      row[BUCKETS[bucketOf(r.response_time)] as keyof Buckets]++;
    }
  }
  const list = [...rows.values()];
  const add = (c: string) => sql<number>`check_rollups.${sql.ref(c)} + excluded.${sql.ref(c)}`;
  // 28 columns a row: chunks stay under SQLite's bound-parameter limit.
  for (let i = 0; i < list.length; i += 30) {
    await db
      .insertInto('check_rollups')
      .values(list.slice(i, i + 30))
      .onConflict((oc) =>
        oc.columns(['check_id', 'period', 'start_at']).doUpdateSet({
          total: add('total'),
          ok: add('ok'),
          degraded: add('degraded'),
          failed: add('failed'),
          timeout: add('timeout'),
          sum_ms: add('sum_ms'),
          min_ms: sql<number>`case when excluded.min_ms < check_rollups.min_ms then excluded.min_ms else check_rollups.min_ms end`,
          max_ms: sql<number>`case when excluded.max_ms > check_rollups.max_ms then excluded.max_ms else check_rollups.max_ms end`,
          ...Object.fromEntries(BUCKETS.map((b) => [b, add(b)])),
        }),
      )
      .execute();
  }
}

/** The parts of [since, until) covered by whole days, whole hours and single minutes. */
export function cover(since: number, until: number): { period: RollupPeriod; from: number; to: number }[] {
  const out: { period: RollupPeriod; from: number; to: number }[] = [];
  const up = (t: number, size: number) => Math.ceil(t / size) * size;
  const down = (t: number, size: number) => Math.floor(t / size) * size;
  const dayFrom = up(since, DAY);
  const dayTo = down(until, DAY);
  if (dayFrom < dayTo) {
    out.push({ period: 'd', from: dayFrom, to: dayTo });
    edges(since, dayFrom);
    edges(dayTo, until);
  } else edges(since, until);
  return out.filter((p) => p.from < p.to);

  function edges(from: number, to: number) {
    const hourFrom = up(from, HOUR);
    const hourTo = down(to, HOUR);
    if (hourFrom < hourTo) {
      out.push({ period: 'h', from: hourFrom, to: hourTo });
      out.push({ period: 'm', from: up(from, MINUTE), to: hourFrom });
      out.push({ period: 'm', from: hourTo, to: down(to, MINUTE) });
    } else out.push({ period: 'm', from: up(from, MINUTE), to: down(to, MINUTE) });
  }
}

/**
 * Statistics of a check over [since, until): whole minutes from its rollups, the part-minutes
 * at either end from its raw results.
 */
export async function rolledUpStatistics(
  db: Kysely<Database>,
  checkId: string,
  since: number,
  until: number,
): Promise<Omit<CheckStatistics, 'check_id' | 'since' | 'until'>> {
  const firstMinute = Math.ceil(since / MINUTE) * MINUTE;
  const lastMinute = Math.floor(until / MINUTE) * MINUTE;
  const whole = firstMinute < lastMinute;
  const edges = whole
    ? [
        [since, firstMinute],
        [lastMinute, until],
      ]
    : [[since, until]];
  const [sums, raw] = await Promise.all([
    Promise.all(
      (whole ? cover(since, until) : []).map((part) =>
        db
          .selectFrom('check_rollups')
          .select((eb) => [
            eb.fn.sum<number>('total').as('total'),
            eb.fn.sum<number>('ok').as('ok'),
            eb.fn.sum<number>('degraded').as('degraded'),
            eb.fn.sum<number>('failed').as('failed'),
            eb.fn.sum<number>('timeout').as('timeout'),
            eb.fn.sum<number>('sum_ms').as('sum_ms'),
            eb.fn.min<number>('min_ms').as('min_ms'),
            eb.fn.max<number>('max_ms').as('max_ms'),
            ...BUCKETS.map((b) => eb.fn.sum<number>(b).as(b)),
          ])
          .where('check_id', '=', checkId)
          .where('period', '=', part.period)
          .where('start_at', '>=', part.from)
          .where('start_at', '<', part.to)
          .executeTakeFirst(),
      ),
    ),
    db
      .selectFrom('check_results')
      .select(['status', 'response_time'])
      .where('check_id', '=', checkId)
      .where('result_type', '=', 'regular')
      .where((eb) =>
        eb.or(
          edges
            .filter(([a, b]) => (a as number) < (b as number))
            .map(([a, b]) =>
              eb.and([eb('created_at', '>=', a as number), eb('created_at', '<', b as number)]),
            ),
        ),
      )
      .execute(),
  ]);
  const n = (v: unknown) => Number(v ?? 0);
  const by: Record<ResultStatus, number> = { ok: 0, degraded: 0, failed: 0, timeout: 0 };
  for (const k of Object.keys(by) as ResultStatus[]) by[k] = sums.reduce((s, r) => s + n(r?.[k]), 0);
  const counts = BUCKETS.map((b) => sums.reduce((s, r) => s + n(r?.[b]), 0));
  let sum = sums.reduce((s, r) => s + n(r?.sum_ms), 0);
  const present = sums.filter((r) => n(r?.total) > 0);
  let min = Math.min(...present.map((r) => n(r?.min_ms)));
  let max = Math.max(...present.map((r) => n(r?.max_ms)));
  for (const r of raw) {
    by[r.status]++;
    const i = bucketOf(r.response_time);
    counts[i] = (counts[i] ?? 0) + 1;
    sum += r.response_time;
    min = Math.min(min, r.response_time);
    max = Math.max(max, r.response_time);
  }
  const total = by.ok + by.degraded + by.failed + by.timeout;
  const percentile = (q: number) => {
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [i, c] of counts.entries()) {
      seen += c;
      if (seen >= rank) return Math.min(max, BUCKET_BOUNDS[i] ?? max);
    }
    return max;
  };
  return {
    total,
    by_status: by,
    uptime_percentage: total ? Math.round(((by.ok + by.degraded) / total) * 10_000) / 100 : null,
    response_time: total
      ? {
          avg: Math.round(sum / total),
          min,
          max,
          p50: percentile(0.5),
          p95: percentile(0.95),
          p99: percentile(0.99),
        }
      : null,
  };
}
