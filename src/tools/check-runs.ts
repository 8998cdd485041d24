/**
 * What checks found, and runs on demand, with the Pingera seed's names and parameters:
 * results and statistics per check and across checks, status history, and `execute_*` jobs
 * (answered with their result unless `wait` is false).
 */
import { z } from 'zod';
import { type CheckStatistics, type CheckTarget, RESULT_STATUSES } from '../core/checks.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { checkId, dnsFields, fields, icmpFields, icmpParameters } from './checks.js';
import { CREATE, defineTool, READ, type ToolContext } from './define-tool.js';
import { checkJobItem, checkResultItem, checkStatisticsItem, statusPeriodItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';
import { timestamp } from './time.js';

const DAY = 86_400_000;
const fromDate = z.string().max(64).describe('From this time, ISO 8601.');
const toDate = z.string().max(64).describe('Before this time, ISO 8601.');
export const wait = z.boolean().default(true).describe('false: answer at once with the job.');

function dates(args: { from_date?: string | undefined; to_date?: string | undefined }, defaultDays?: number) {
  const until = args.to_date === undefined ? undefined : Date.parse(timestamp(args.to_date, 'to_date'));
  let since = args.from_date === undefined ? undefined : Date.parse(timestamp(args.from_date, 'from_date'));
  if (since === undefined && defaultDays !== undefined) since = (until ?? Date.now()) - defaultDays * DAY;
  if (since !== undefined && until !== undefined && since >= until) {
    throw new ValidationError('`from_date` must be before `to_date`.', { parameter: 'from_date' });
  }
  return { since, until };
}

export const getCheckResults = defineTool({
  name: 'get_check_results',
  toolset: 'checks',
  port: 'checks',
  resource: 'results',
  output: checkResultItem,
  annotations: READ,
  description: "A check's results, newest first: status, response time, error and the timing breakdown.",
  narrowHint: 'Narrow with `from_date`, `to_date` or `status`.',
  input: z.strictObject({
    check_id: checkId,
    from_date: fromDate.optional(),
    to_date: toDate.optional(),
    status: z.enum(RESULT_STATUSES).optional().describe('Only results with this status.'),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    if (!(await ctx.ports.checks.getCheck(args.check_id)))
      throw new NotFoundError('check', args.check_id, 'check_id');
    const w = dates(args);
    const filters = { checkIds: [args.check_id], ...w, status: args.status };
    const paged = paging(args, filters);
    const result = await ctx.ports.checks.listResults({
      ...filters,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const getUnifiedResults = defineTool({
  name: 'get_unified_results',
  toolset: 'checks',
  port: 'checks',
  resource: 'results',
  output: checkResultItem,
  annotations: READ,
  description:
    'Results across checks, scheduled and on-demand, newest first — e.g. "when did anything last fail?".',
  narrowHint: 'Narrow with `check_ids`, `from_date`, `to_date` or `status`.',
  input: z.strictObject({
    check_ids: p.ids('check_id').optional(),
    from_date: fromDate.optional(),
    to_date: toDate.optional(),
    status: z.enum(RESULT_STATUSES).optional().describe('Only results with this status.'),
    result_type: z
      .enum(['regular', 'on_demand'])
      .optional()
      .describe('Scheduled (regular) or on-demand runs only.'),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const filters = {
      checkIds: args.check_ids,
      ...dates(args),
      status: args.status,
      resultType: args.result_type,
    };
    const paged = paging(args, filters);
    const result = await ctx.ports.checks.listResults({
      ...filters,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

async function statisticsOf(ctx: ToolContext, ids: string[], args: { from_date?: string; to_date?: string }) {
  const w = dates(args, 1);
  const window = { since: w.since as number, until: w.until ?? Date.now() };
  const out: CheckStatistics[] = [];
  // Twenty checks at a time: a SaaS provider answers each with its own requests.
  for (let i = 0; i < ids.length; i += 20) {
    out.push(
      ...(await Promise.all(ids.slice(i, i + 20).map((id) => ctx.ports.checks.statistics(id, window)))),
    );
  }
  return out;
}

export const getCheckStatistics = defineTool({
  name: 'get_check_statistics',
  toolset: 'checks',
  port: 'checks',
  resource: 'statistics',
  output: checkStatisticsItem,
  annotations: READ,
  description:
    "A check's uptime % and response times (avg, min, max, p50, p95, p99) over a window (default the last 24 h).",
  input: z.strictObject({
    check_id: checkId,
    from_date: fromDate.optional(),
    to_date: toDate.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    return { items: await statisticsOf(ctx, [args.check_id], args) };
  },
});

export const getUnifiedStatistics = defineTool({
  name: 'get_unified_statistics',
  toolset: 'checks',
  port: 'checks',
  resource: 'statistics',
  output: checkStatisticsItem,
  annotations: READ,
  description:
    'Uptime % and response times for several checks (all when check_ids is not given, a page at a time) over a window.',
  narrowHint: 'Narrow with `check_ids`, or page with `limit` and `cursor`.',
  input: z.strictObject({
    check_ids: p.ids('check_id').max(100).optional(),
    from_date: fromDate.optional(),
    to_date: toDate.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    if (args.check_ids) {
      if (args.limit !== undefined || args.cursor !== undefined) {
        throw new ValidationError('`limit` and `cursor` page through all checks: not with `check_ids`.', {
          parameter: args.limit === undefined ? 'cursor' : 'limit',
        });
      }
      return { items: await statisticsOf(ctx, args.check_ids, args) };
    }
    // All checks, a page at a time: the answer says when more follow, with `next_cursor`.
    const paged = paging(args, { from_date: args.from_date, to_date: args.to_date });
    const checks = await ctx.ports.checks.listChecks({ limit: paged.limit, offset: paged.offset });
    const items = await statisticsOf(
      ctx,
      checks.items.map((c) => c.id),
      args,
    );
    const from = paged.offset + 1;
    return {
      items,
      page: paged.info(checks),
      ...(checks.more && {
        description: `Statistics of checks ${from}–${paged.offset + items.length}; more checks follow: pass \`next_cursor\` for the next ${paged.limit}.`,
      }),
    };
  },
});

export const getCheckStatusHistory = defineTool({
  name: 'get_check_status_history',
  toolset: 'checks',
  port: 'checks',
  resource: 'status_history',
  output: statusPeriodItem,
  annotations: READ,
  description: "A check's status changes, newest first, each with its reason and how long it lasted.",
  input: z.strictObject({
    check_id: checkId,
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, { check_id: args.check_id });
    const result = await ctx.ports.checks.statusHistory(args.check_id, paged.limit, paged.offset);
    return { items: result.items, page: paged.info(result) };
  },
});

export async function runCustom(
  ctx: ToolContext,
  target: CheckTarget & { name: string },
  waitForIt: boolean,
) {
  const job = await ctx.ports.checks.executeCustom(target, waitForIt);
  return { items: [job], description: `Job ${job.id}: ${job.result?.status ?? job.status}` };
}

export const executeCustomCheck = defineTool({
  name: 'execute_custom_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description:
    'Run a one-off check now (nothing is scheduled): status, latency breakdown, TLS expiry and assertion results.',
  input: z.strictObject({
    type: fields.type,
    name: fields.name,
    url: fields.url.optional(),
    host: fields.host.optional(),
    port: fields.port.optional(),
    timeout: fields.timeout.default(30),
    parameters: fields.parameters.optional(),
    wait,
  }),
  handler: ({ wait: w, parameters, ...target }, ctx) =>
    runCustom(ctx, { ...target, parameters: parameters ?? {} }, w),
});

export const executeIcmpCheck = defineTool({
  name: 'execute_icmp_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description: 'Ping a host now: packet loss and round-trip times.',
  input: z.strictObject({
    name: fields.name,
    host: fields.host,
    timeout: fields.timeout.default(30),
    ...icmpFields,
    wait,
  }),
  handler: ({ wait: w, name, host, timeout, ...icmp }, ctx) =>
    runCustom(ctx, { type: 'icmp', name, host, timeout, parameters: icmpParameters(icmp) }, w),
});

export const executeDnsCheck = defineTool({
  name: 'execute_dns_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description: 'Resolve a DNS record now and compare it with the expected answers.',
  input: z.strictObject({
    name: fields.name,
    host: fields.host,
    timeout: fields.timeout.default(10),
    ...dnsFields,
    wait,
  }),
  handler: ({ wait: w, name, host, timeout, ...dns }, ctx) =>
    runCustom(ctx, { type: 'dns', name, host, timeout, parameters: dns }, w),
});

export const executeExistingCheck = defineTool({
  name: 'execute_existing_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: CREATE,
  description: 'Run a check now, apart from its schedule; the result is kept as an on-demand result.',
  input: z.strictObject({ check_id: checkId, wait }),
  async handler(args, ctx) {
    const job = await ctx.ports.checks.executeExisting(args.check_id, args.wait);
    return { items: [job], description: `Job ${job.id}: ${job.result?.status ?? job.status}` };
  },
});

const jobId = p.id('job_id').describe('The job ID (from execute_*).');

async function job(ctx: ToolContext, id: string) {
  const found = await ctx.ports.checks.getJob(id);
  if (!found) throw new NotFoundError('check job', id, 'job_id');
  return { items: [found] };
}

export const getOnDemandJobStatus = defineTool({
  name: 'get_on_demand_job_status',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: READ,
  description: 'The status of an on-demand run, with its result once completed.',
  input: z.strictObject({ job_id: jobId, include: p.include.optional() }),
  handler: (args, ctx) => job(ctx, args.job_id),
});

export const getCheckJobDetails = defineTool({
  name: 'get_check_job_details',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: READ,
  description: 'An on-demand run: what was checked, when, and what it found.',
  input: z.strictObject({ job_id: jobId, include: p.include.optional() }),
  handler: (args, ctx) => job(ctx, args.job_id),
});

export const listCheckJobs = defineTool({
  name: 'list_check_jobs',
  toolset: 'checks',
  port: 'checks',
  resource: 'jobs',
  output: checkJobItem,
  annotations: READ,
  description: 'On-demand runs, newest first.',
  input: z.strictObject({
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, {});
    const result = await ctx.ports.checks.listJobs(paged.limit, paged.offset);
    return { items: result.items, page: paged.info(result) };
  },
});

/** The seed's other name for the same list (it called an endpoint that does not exist). */
export const listOnDemandChecks = defineTool({
  ...listCheckJobs,
  name: 'list_on_demand_checks',
  description: 'On-demand runs, newest first (the same as list_check_jobs).',
});

export const checkRunTools = [
  getCheckResults,
  getCheckStatistics,
  getCheckStatusHistory,
  getUnifiedResults,
  getUnifiedStatistics,
  executeCustomCheck,
  executeExistingCheck,
  executeIcmpCheck,
  executeDnsCheck,
  getOnDemandJobStatus,
  listCheckJobs,
  listOnDemandChecks,
  getCheckJobDetails,
];
