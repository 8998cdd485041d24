/**
 * Pingera's check objects as Vigil's (core/checks.ts was modelled on them, so most fields pass
 * through): MonitorCheck, CheckGroup, MonitorCheckResult / UnifiedResult, CheckJob, the status
 * history, and the uptime and response-time answers that make a check's statistics. Each mapping
 * that is more than a copy says so where it is made.
 */
import {
  CHECK_STATUSES,
  type Check,
  type CheckGroup,
  type CheckJob,
  type CheckResult,
  type CheckStatistics,
  type CheckStatus,
  type CheckType,
  type ProbeResult,
  type ResultStatus,
  type StatusPeriod,
} from '../../core/checks.js';
import { arr, bool, defined, iso, isoOr, num, obj, type Raw, record, str } from './raw.js';

/** What a check without these fields runs with: the seed's create_check defaults. */
const DEFAULT_INTERVAL = 300;
const DEFAULT_TIMEOUT = 10;

const isCheckStatus = (s: string | undefined): s is CheckStatus =>
  (CHECK_STATUSES as readonly string[]).includes(s ?? '');

export function toCheck(v: unknown): Check {
  const r = record(v, 'a check');
  // An inactive check is paused, as Vigil says it, whatever its last status was.
  const active = bool(r.active) ?? true;
  const status = str(r.status);
  const group = obj(r.group);
  const groupId = str(r.group_id) ?? str(group?.id) ?? null;
  return {
    id: r.id,
    name: str(r.name) ?? '',
    // Pingera's types are Vigil's plus `portscan`, which is passed as Pingera names it.
    type: (str(r.type) ?? 'web') as CheckType,
    url: str(r.url) ?? null,
    host: str(r.host) ?? null,
    port: num(r.port) ?? null,
    interval: num(r.interval) ?? DEFAULT_INTERVAL,
    timeout: num(r.timeout) ?? DEFAULT_TIMEOUT,
    active,
    position: num(r.position) ?? 0,
    group_id: groupId,
    group: groupId ? { id: groupId, name: str(group?.name) ?? groupId } : null,
    parameters: obj(r.parameters) ?? {},
    // Pingera has no thresholds: each run's status is the check's, which is Vigil's 1 and 1.
    failure_threshold: 1,
    recovery_threshold: 1,
    status: !active ? 'paused' : isCheckStatus(status) ? status : 'pending',
    last_checked_at: iso(r.last_checked_at),
    // Pingera does not say when a check runs next.
    next_run_at: null,
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}

export function toGroup(v: unknown): CheckGroup {
  const r = record(v, 'a check group');
  return {
    id: r.id,
    name: str(r.name) ?? '',
    description: str(r.description) ?? null,
    color: str(r.color) ?? null,
    position: num(r.position) ?? 0,
    active: bool(r.active) ?? true,
    checks_count: num(r.checks_count) ?? 0,
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}

/**
 * A MonitorCheckResult (one check's results) or a UnifiedResult (all-results). Pingera's
 * `pending` (a run not finished) is outside Vigil's result statuses and is passed as named.
 * A per-check result carries no `result_type`: it is taken as `regular` (an assumption — the
 * API does not say whether on-demand runs of a check appear there).
 */
export function toResult(v: unknown, checkId?: string): CheckResult {
  const r = record(v, 'a check result');
  const server = obj(r.check_server);
  return {
    id: r.id,
    check_id: str(r.check_id) ?? checkId ?? '',
    ...(str(r.check_name) !== undefined && { check_name: str(r.check_name) as string }),
    ...(str(r.check_type) !== undefined && { check_type: str(r.check_type) as string }),
    status: (str(r.status) ?? 'pending') as ResultStatus,
    response_time: num(r.response_time) ?? 0,
    error_message: str(r.error_message) ?? null,
    check_metadata: obj(r.check_metadata) ?? {},
    result_type: str(r.result_type) === 'on_demand' ? 'on_demand' : 'regular',
    check_server: {
      id: str(server?.id) ?? str(r.check_server_id) ?? '',
      region: str(server?.region) ?? str(r.region) ?? '',
    },
    created_at: isoOr(r.created_at),
  };
}

/** A period of the status history, newest first as Pingera lists them. Pingera gives no reason. */
export function toPeriod(v: unknown): StatusPeriod {
  const r = obj(v) ?? {};
  const status = str(r.status);
  return {
    status: isCheckStatus(status) ? status : 'pending',
    reason: '',
    started_at: isoOr(r.started_at),
    ended_at: iso(r.ended_at),
  };
}

const JOB_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;

/**
 * A CheckJob. Pingera's `queued` (the execute answer's status) is Vigil's `pending`. Its
 * `job_type` is free text; a job naming no check ran a custom target, one naming a check ran
 * that check (`existing`).
 */
export function toJob(v: unknown): CheckJob {
  const r = record(v, 'a check job');
  const checkId = str(r.check_id) ?? null;
  const status = str(r.status);
  const type = str(r.job_type) ?? '';
  return {
    id: r.id,
    check_id: checkId,
    job_type: /custom/i.test(type) ? 'custom' : /existing/i.test(type) || checkId ? 'existing' : 'custom',
    status: (JOB_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as CheckJob['status'])
      : 'pending',
    check_parameters: obj(r.check_parameters) ?? {},
    result: probeOf(r.result),
    error_message: str(r.error_message) ?? null,
    created_at: isoOr(r.created_at, r.started_at),
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
  };
}

/**
 * A job's `result` ("the result data …, including server information"; the spec gives it no
 * schema) read as a result (MonitorCheckResult / UnifiedResult): status, response_time,
 * error_message, check_metadata, with where it ran (`region`, `check_server`) kept in
 * check_metadata.
 */
function probeOf(v: unknown): ProbeResult | null {
  const r = obj(v);
  if (!r) return null;
  return {
    status: (str(r.status) ?? 'pending') as ResultStatus,
    response_time: num(r.response_time) ?? 0,
    error_message: str(r.error_message) ?? null,
    check_metadata: defined({
      ...obj(r.check_metadata),
      region: str(r.region),
      check_server: obj(r.check_server),
    }),
  };
}

/** The first number among the keys, for answers whose spelling the spec does not give. */
function first(o: Raw | undefined, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const n = num(o?.[k]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * `GET /v1/checks/{id}/uptime` has no response schema in the spec. Assumed: an object with the
 * uptime in percent (`uptime_percentage`, or `uptime`) and, when given, the run counts
 * (`total_checks`, `successful_checks`, `failed_checks`, or per status `degraded_checks`,
 * `timeout_checks`, or a `by_status` map). Successful runs (up: ok and degraded) count as `ok`
 * and failed ones as `failed` when Pingera does not split them further; counts it does not give
 * are 0; the percentage is Pingera's own.
 */
export function uptimeOf(v: unknown): Pick<CheckStatistics, 'total' | 'by_status' | 'uptime_percentage'> {
  const r = obj(v) ?? {};
  const nested = obj(r.by_status) ?? obj(r.status_counts);
  const count = (s: ResultStatus, ...keys: string[]) =>
    first(nested, [s]) ?? first(r, [...keys, `${s}_checks`, s]) ?? 0;
  const by_status = {
    ok: count('ok', 'successful_checks', 'up_checks'),
    failed: count('failed'),
    degraded: count('degraded'),
    timeout: count('timeout'),
  };
  const counted = by_status.ok + by_status.failed + by_status.degraded + by_status.timeout;
  const total = first(r, ['total_checks', 'total', 'total_results']) ?? counted;
  const percent = first(r, ['uptime_percentage', 'uptime_percent', 'uptime']);
  const derived = counted > 0 ? ((by_status.ok + by_status.degraded) / counted) * 100 : undefined;
  const uptime = percent ?? derived;
  return {
    total,
    by_status,
    uptime_percentage: uptime === undefined ? null : Math.round(uptime * 100) / 100,
  };
}

/**
 * `GET /v1/checks/{id}/response-times`: "average, 95th percentile, and 99th percentile response
 * times for each time bucket and region" (an untyped object in the spec). Assumed: the buckets in
 * a list under `response_times`, `metrics`, `data` or `buckets` (or the answer is one bucket),
 * each with `avg`/`avg_response_time`, `p95`…, `p99`… and, when given, `count`, `min`, `max`,
 * `p50`. Over the window: the count-weighted mean of averages; for p95 and p99 the largest
 * bucket's (an upper bound: percentiles of buckets do not combine exactly); min and max and p50
 * only when Pingera gives them, else null.
 */
export function responseTimesOf(v: unknown): CheckStatistics['response_time'] {
  const r = obj(v);
  const list = ['response_times', 'metrics', 'data', 'buckets', 'results'].map((k) => arr(r?.[k]));
  const buckets = list.find((l) => l.length > 0) ?? (r && first(r, ['avg', 'avg_response_time']) ? [r] : []);
  const rows = buckets.flatMap((b) => {
    const avg = first(b, ['avg', 'avg_response_time', 'average', 'average_response_time', 'mean']);
    if (avg === undefined) return [];
    return [
      {
        avg,
        n: first(b, ['count', 'total', 'samples', 'total_checks']) ?? 1,
        min: first(b, ['min', 'min_response_time']),
        max: first(b, ['max', 'max_response_time']),
        p50: first(b, ['p50', 'p50_response_time', 'median']),
        p95: first(b, ['p95', 'p95_response_time']),
        p99: first(b, ['p99', 'p99_response_time']),
      },
    ];
  });
  if (rows.length === 0) return null;
  const n = rows.reduce((s, b) => s + b.n, 0);
  const pick = (k: 'min' | 'max' | 'p50' | 'p95' | 'p99', f: (...xs: number[]) => number) => {
    const xs = rows.flatMap((b) => (b[k] === undefined ? [] : [b[k] as number]));
    return xs.length ? Math.round(f(...xs)) : null;
  };
  return {
    avg: Math.round(n > 0 ? rows.reduce((s, b) => s + b.avg * b.n, 0) / n : 0),
    min: pick('min', Math.min),
    max: pick('max', Math.max),
    // One bucket's median is the window's; several do not combine.
    p50: rows.length === 1 ? pick('p50', Math.max) : null,
    p95: pick('p95', Math.max),
    p99: pick('p99', Math.max),
  };
}
