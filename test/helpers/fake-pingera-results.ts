/**
 * The fake Pingera API's check results, metrics and on-demand jobs. See fake-pingera-pages.ts for what
 * the server has done before a handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down (the spec's operation descriptions are
 * followed where they say something, e.g. "Date range is limited to 6 months in the past"):
 * - GET …/results lists regular results only, newest first, 20 a page; `failed_only` keeps `failed`
 *   and `timeout`. On-demand results show in GET /v1/checks/all-results with `result_type=on_demand`.
 *   A result's `check_server` is made up from its region (default `EU, West`).
 * - GET …/status-history turns the regular results into runs of one status, newest first, the current
 *   one with `ended_at: null`.
 * - The metric endpoints have no response schema; they answer:
 *   uptime `{check_id, start_time, end_time, uptime_percentage (null without results), total_checks,
 *   successful_checks, failed_checks}` (ok and degraded count as up; default window the last 24 h);
 *   response-times `{check_id, start_date, end_date, interval_seconds, data: [{timestamp, region,
 *   avg_response_time, p95_response_time, p99_response_time, count}]}`; status-history (all checks)
 *   `{start_date, end_date, interval_seconds, data: [{timestamp, region, ok, failed, degraded,
 *   timeout, total}]}`; buckets are hours up to a two-day window, days beyond. A start more than six
 *   months back is a 422.
 * - Jobs: POST …/execute answers 202 `{job_id, status: "queued", message}`; the job then reads
 *   `pending`, `running`, then `completed` (or `failed` with `error_message`) as FakePingeraOptions.jobs
 *   says: after N GETs of the job (default 3: pending, running, completed), or after M ms of the fake's
 *   clock (pending for the first half), whichever comes first. A completed job's `result` is the
 *   on-demand result in the UnifiedResult shape, which all-results also lists; `check_parameters` is
 *   the custom request, or the check's target. Jobs are listed newest first, 20 a page (`per_page`);
 *   listing does not count as a poll.
 */
import { checkOf, renderCheck, validateTarget } from './fake-pingera-checks.js';
import {
  bodyOf,
  DAY,
  date,
  found,
  type Handler,
  HOUR,
  invalid,
  iso,
  newestFirst,
  notFound,
  ok,
  paginate,
  pick,
  type RouteContext,
  SIX_MONTHS,
  timeWindow,
} from './fake-pingera-kit.js';
import type { CheckType, JobState, ResultState } from './fake-pingera-model.js';
import { DEFAULT_REGION, type PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

const REGIONS: { id: string; display_name: string; country: string; ip: string }[] = [
  { id: 'EU, West', display_name: 'Europe (West)', country: 'NL', ip: '198.51.100.10' },
  { id: 'RU, Moscow', display_name: 'Russia (Moscow)', country: 'RU', ip: '198.51.100.20' },
  { id: 'US, East', display_name: 'United States (East)', country: 'US', ip: '198.51.100.30' },
];
const ALL_TYPES: CheckType[] = [
  'web',
  'api',
  'ssl',
  'tcp',
  'synthetic',
  'multistep',
  'icmp',
  'dns',
  'portscan',
];

// ── rendering ───────────────────────────────────────────────────────────────────────────────────

function server(region: string): Json {
  const known = REGIONS.find((r) => r.id === region);
  const slug = region.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    id: `sv${slug.slice(0, 10).padEnd(10, '0')}`,
    region,
    country: known?.country ?? null,
    ip_address: known?.ip ?? '198.51.100.99',
    server_metadata: {},
  };
}

function renderResult(r: ResultState): Json {
  const s = server(r.region);
  return {
    id: r.id,
    check_id: r.checkId,
    status: r.status,
    response_time: r.responseTime,
    error_message: r.errorMessage,
    check_server_id: s.id,
    check_server: s,
    check_metadata: r.metadata,
    created_at: iso(r.createdAt),
  };
}

function renderUnified(r: ResultState): Json {
  return {
    ...renderResult(r),
    check_name: r.checkName,
    check_type: r.checkType,
    result_type: r.resultType,
    region: r.region,
  };
}

// ── metrics ─────────────────────────────────────────────────────────────────────────────────────

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function bucketSize(start: number, end: number): number {
  return end - start <= 2 * DAY ? HOUR : DAY;
}

/** Results in a window, filtered by region and status, grouped by time bucket and region. */
function buckets(results: ResultState[], start: number, end: number, q: URLSearchParams) {
  const size = bucketSize(start, end);
  const region = q.get('region');
  const status = q.get('status');
  const groups = new Map<string, { timestamp: number; region: string; rows: ResultState[] }>();
  for (const r of results) {
    if (r.createdAt < start || r.createdAt > end) continue;
    if ((region && r.region !== region) || (status && r.status !== status)) continue;
    const timestamp = Math.floor(r.createdAt / size) * size;
    const key = `${timestamp}|${r.region}`;
    const g = groups.get(key) ?? { timestamp, region: r.region, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  const list = [...groups.values()].sort(
    (x, y) => x.timestamp - y.timestamp || x.region.localeCompare(y.region),
  );
  return { size, list };
}

function statusRuns(a: PingeraAccount, checkId: string): Json[] {
  const ascending = [...a.resultsOf(checkId)].reverse();
  const runs: { status: string; start: number; end: number | null }[] = [];
  for (const r of ascending) {
    const last = runs.at(-1);
    if (last?.status === r.status) continue;
    if (last) last.end = r.createdAt;
    runs.push({ status: r.status, start: r.createdAt, end: null });
  }
  return runs.reverse().map((r) => ({ status: r.status, started_at: iso(r.start), ended_at: iso(r.end) }));
}

const results: Record<string, Handler> = {
  'GET /v1/checks/{check_id}/results': (ctx) => {
    const c = checkOf(ctx);
    const q = ctx.query;
    const from = date(q, 'start_date') ?? Number.NEGATIVE_INFINITY;
    const to = date(q, 'end_date') ?? Number.POSITIVE_INFINITY;
    const failedOnly = q.get('failed_only') === 'true';
    const list = ctx.account
      .resultsOf(c.id)
      .filter(
        (r) =>
          r.createdAt >= from &&
          r.createdAt <= to &&
          (!failedOnly || r.status === 'failed' || r.status === 'timeout'),
      );
    return paginate(q, 'results', list, renderResult);
  },
  'GET /v1/checks/{check_id}/results/{check_result_id}': (ctx) => {
    const c = checkOf(ctx);
    const r = ctx.account.results.find((x) => x.id === ctx.params.check_result_id && x.checkId === c.id);
    return ok(renderResult(found(r, 'Check result')));
  },
  'GET /v1/checks/{check_id}/status-history': (ctx) =>
    paginate(ctx.query, 'status_history', statusRuns(ctx.account, checkOf(ctx).id), (r) => r),
  'GET /v1/checks/{check_id}/uptime': (ctx) => {
    const c = checkOf(ctx);
    const { start, end } = timeWindow(ctx.query, 'start_time', 'end_time', ctx.now);
    const rows = ctx.account.resultsOf(c.id).filter((r) => r.createdAt >= start && r.createdAt <= end);
    const up = rows.filter((r) => r.status === 'ok' || r.status === 'degraded').length;
    return ok({
      check_id: c.id,
      start_time: iso(start),
      end_time: iso(end),
      uptime_percentage: rows.length ? Math.round((up / rows.length) * 10_000) / 100 : null,
      total_checks: rows.length,
      successful_checks: up,
      failed_checks: rows.length - up,
    });
  },
  'GET /v1/checks/{check_id}/response-times': (ctx) => {
    const c = checkOf(ctx);
    const { start, end } = timeWindow(ctx.query, 'start_date', 'end_date', ctx.now);
    const { size, list } = buckets(ctx.account.resultsOf(c.id), start, end, ctx.query);
    const data = list.map((g) => {
      const times = g.rows
        .flatMap((r) => (r.responseTime === null ? [] : [r.responseTime]))
        .sort((x, y) => x - y);
      const avg = times.length ? Math.round(times.reduce((s, t) => s + t, 0) / times.length) : null;
      return {
        timestamp: iso(g.timestamp),
        region: g.region,
        avg_response_time: avg,
        p95_response_time: percentile(times, 95),
        p99_response_time: percentile(times, 99),
        count: g.rows.length,
      };
    });
    return ok({
      check_id: c.id,
      start_date: iso(start),
      end_date: iso(end),
      interval_seconds: size / 1000,
      data,
    });
  },
  'GET /v1/checks/status-history': (ctx) => {
    const a = ctx.account;
    const { start, end } = timeWindow(ctx.query, 'start_date', 'end_date', ctx.now);
    const checkId = ctx.query.get('check_id');
    if (checkId && !a.checks.has(checkId)) throw notFound('Check');
    const rows = a.results.filter((r) => r.resultType === 'regular' && (!checkId || r.checkId === checkId));
    const { size, list } = buckets(rows, start, end, ctx.query);
    const data = list.map((g) => {
      const count = (s: string) => g.rows.filter((r) => r.status === s).length;
      return {
        timestamp: iso(g.timestamp),
        region: g.region,
        ok: count('ok'),
        failed: count('failed'),
        degraded: count('degraded'),
        timeout: count('timeout'),
        total: g.rows.length,
      };
    });
    return ok({ start_date: iso(start), end_date: iso(end), interval_seconds: size / 1000, data });
  },
  'GET /v1/checks/all-results': (ctx) => {
    const q = ctx.query;
    const from = date(q, 'start_date');
    if (from !== undefined && from < ctx.now - SIX_MONTHS) {
      throw invalid('start_date', 'Date range is limited to 6 months in the past.', 'query');
    }
    const lower = from ?? ctx.now - SIX_MONTHS;
    const to = date(q, 'end_date') ?? Number.POSITIVE_INFINITY;
    const want = (name: string, value: string | null) => {
      const w = q.get(name);
      return !w || w === value;
    };
    const list = ctx.account.results.filter(
      (r) =>
        r.createdAt >= lower &&
        r.createdAt <= to &&
        want('check_id', r.checkId) &&
        want('check_type', r.checkType) &&
        want('status', r.status) &&
        want('result_type', r.resultType) &&
        want('region', r.region),
    );
    return paginate(q, 'results', newestFirst(list), renderUnified);
  },
  'GET /v1/checks/get-regions': (ctx) => {
    const type = ctx.query.get('check_type');
    const regions = REGIONS.filter(() => !type || ALL_TYPES.includes(type as CheckType)).map((r) => ({
      id: r.id,
      display_name: r.display_name,
      available_check_types: ALL_TYPES,
    }));
    return ok({ regions, total_regions: regions.length });
  },
};

// ── on-demand jobs ──────────────────────────────────────────────────────────────────────────────

/** Moves a job on as far as its polls and age allow; see the module comment. */
function settle(ctx: RouteContext, job: JobState): void {
  const { polls, ms } = ctx.jobs;
  const elapsed = ctx.now - job.createdAt;
  const done = (polls !== undefined && job.polls >= polls) || (ms !== undefined && elapsed >= ms);
  const started = done || (polls !== undefined && job.polls >= 2) || (ms !== undefined && elapsed >= ms / 2);
  if (started && job.startedAt === null) job.startedAt = ctx.now;
  if (!done || job.completedAt !== null) return;
  job.completedAt = ctx.now;
  if (job.failure !== undefined) return;
  const a = ctx.account;
  const check = job.checkId ? a.checks.get(job.checkId) : undefined;
  const regions = (job.parameters.parameters as Json | undefined)?.regions;
  const result: ResultState = {
    id: a.ids.next('rs'),
    checkId: job.checkId,
    checkName: check?.name ?? String(job.parameters.name ?? 'Custom check'),
    checkType: (check?.type ?? job.parameters.type ?? 'web') as CheckType,
    status: 'ok',
    responseTime: 100 + ((a.results.length * 37) % 400),
    errorMessage: null,
    region: Array.isArray(regions) && typeof regions[0] === 'string' ? regions[0] : DEFAULT_REGION,
    resultType: 'on_demand',
    metadata: { job_id: job.id },
    createdAt: ctx.now,
  };
  a.results.push(result);
  job.result = result;
}

function jobStatus(job: JobState): string {
  if (job.completedAt !== null) return job.failure === undefined ? 'completed' : 'failed';
  return job.startedAt === null ? 'pending' : 'running';
}

function renderJob(job: JobState): Json {
  return {
    id: job.id,
    status: jobStatus(job),
    job_type: job.jobType,
    check_id: job.checkId,
    check_parameters: job.parameters,
    result: job.result ? renderUnified(job.result) : null,
    error_message: job.completedAt !== null ? (job.failure ?? null) : null,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
  };
}

function queue(ctx: RouteContext, checkId: string | null, parameters: Json) {
  const a = ctx.account;
  const job: JobState = {
    id: a.ids.next('jb'),
    checkId,
    jobType: checkId ? 'existing_check' : 'custom_check',
    parameters,
    createdAt: ctx.now,
    polls: 0,
    failure: ctx.jobs.fail?.({ check_id: checkId, check_parameters: parameters }),
    startedAt: null,
    completedAt: null,
    result: null,
  };
  a.jobs.set(job.id, job);
  return {
    status: 202,
    body: { job_id: job.id, status: 'queued', message: 'Check execution queued successfully' },
  };
}

const jobs: Record<string, Handler> = {
  'POST /v1/checks/execute': (ctx) => {
    const b = bodyOf(ctx);
    validateTarget({ ...b, type: String(b.type) });
    return queue(ctx, null, b);
  },
  'POST /v1/checks/{check_id}/execute': (ctx) => {
    const c = checkOf(ctx);
    const parameters = pick(renderCheck(ctx.account, c), [
      'name',
      'type',
      'url',
      'host',
      'port',
      'timeout',
      'parameters',
    ]);
    return queue(ctx, c.id, parameters);
  },
  'GET /v1/checks/jobs': (ctx) => {
    const status = ctx.query.get('status');
    const list = newestFirst(ctx.account.jobs.values());
    for (const job of list) settle(ctx, job);
    const shown = list.filter((j) => !status || jobStatus(j) === status);
    return paginate(ctx.query, 'jobs', shown, renderJob, 'per_page');
  },
  'GET /v1/checks/jobs/{job_id}': (ctx) => {
    const job = found(ctx.account.jobs.get(ctx.params.job_id ?? ''), 'Job');
    job.polls += 1;
    settle(ctx, job);
    return ok(renderJob(job));
  },
};

/** Check results and metrics, regions, and on-demand jobs. */
export const RESULT_ROUTES: Record<string, Handler> = { ...results, ...jobs };
