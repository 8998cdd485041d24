/**
 * Uptime checks in the checks toolset, with the Pingera seed's names and parameters:
 * `list_checks`, `get_check_details`, `create_check`, `update_check`, `delete_check`,
 * `pause_check`, `resume_check`, and the typed `create_icmp_check` and `create_dns_check`.
 */
import { z } from 'zod';
import { CHECK_STATUSES, CHECK_TYPES, type CheckInput } from '../core/checks.js';
import { NotFoundError } from '../core/errors.js';
import { CREATE, DELETE, defineTool, READ, type ToolContext, UPDATE } from './define-tool.js';
import { hintWhenEmpty } from './hints.js';
import { checkItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';

export const checkId = p.id('check_id').describe('The check ID.');

export const fields = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('A name for the check.'),
  type: z.enum(CHECK_TYPES).describe('Check type.'),
  url: z.string().max(2048).describe('URL (web, api, ssl, synthetic).'),
  host: z.string().min(1).max(255).describe('Host name or IP.'),
  port: z.number().int().min(1).max(65_535).describe('Port (tcp; ssl, default 443).'),
  interval: z.number().int().min(30).max(86_400).describe('Seconds between runs.'),
  timeout: z.number().int().min(1).max(180).describe('Seconds a run may take.'),
  active: z.boolean().describe('false pauses the check.'),
  parameters: z
    .record(z.string(), z.unknown())
    .describe(
      'Per type: web/api http_request{method,headers,body}, search_text, assertions{status_codes, body_contains, body_regex, json_path[{path, equals|exists}], max_response_time_ms}; dns record_type, dns_servers, expected_answers; icmp probe_count; ssl expiry_threshold_days; multistep steps[{name, request, extract, assertions}] or pw_script; synthetic pw_script.',
    ),
  group_id: p.id('group_id').nullable().describe('The check group, or null for none.'),
  position: z.number().int().min(0).max(100_000).describe('Order within its group.'),
  failure_threshold: z
    .number()
    .int()
    .min(1)
    .max(10)
    .describe('Failing runs in a row before it is down (default 1, after a retry).'),
  recovery_threshold: z
    .number()
    .int()
    .min(1)
    .max(10)
    .describe('Passing runs in a row before it is up again (default 1).'),
};

/** create_check's fields, flat or in `check_data` (the seed's README form). */
const createForm = p.wrappedFields(
  'check_data',
  {
    name: fields.name,
    type: fields.type,
    url: fields.url.optional(),
    host: fields.host.optional(),
    port: fields.port.optional(),
    interval: fields.interval.default(300),
    timeout: fields.timeout.default(10),
    active: fields.active.default(true),
    parameters: fields.parameters.optional(),
    group_id: fields.group_id.optional(),
    position: fields.position.optional(),
    failure_threshold: fields.failure_threshold.optional(),
    recovery_threshold: fields.recovery_threshold.optional(),
  },
  {},
);

/** update_check's fields: all optional, and `type` stays what it is. */
const updateForm = p.wrappedFields(
  'check_data',
  {
    name: fields.name.optional(),
    url: fields.url.optional(),
    host: fields.host.optional(),
    port: fields.port.optional(),
    interval: fields.interval.optional(),
    timeout: fields.timeout.optional(),
    active: fields.active.optional(),
    parameters: fields.parameters.optional(),
    group_id: fields.group_id.optional(),
    position: fields.position.optional(),
    failure_threshold: fields.failure_threshold.optional(),
    recovery_threshold: fields.recovery_threshold.optional(),
  },
  { check_id: checkId },
);

export const listChecks = defineTool({
  name: 'list_checks',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: READ,
  description:
    'List uptime checks with their current status (ok, failed, degraded, timeout, pending, paused).',
  narrowHint: 'Narrow with `type`, `status`, `group_id` or `name`.',
  input: z.strictObject({
    type: z.enum(CHECK_TYPES).optional().describe('Only checks of this type.'),
    check_type: z.enum(CHECK_TYPES).optional().describe("The same as `type` (the seed README's name)."),
    status: z.enum(CHECK_STATUSES).optional().describe('Only checks in this state.'),
    group_id: p.id('group_id').optional(),
    name: z.string().max(100).optional().describe('Text to match in check names.'),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const type = p.aliased('type', args.type, 'check_type', args.check_type);
    const filters = { type, status: args.status, groupId: args.group_id, name: args.name };
    const paged = paging(args, filters);
    const result = await ctx.ports.checks.listChecks({
      ...filters,
      limit: paged.limit,
      offset: paged.offset,
    });
    const filtered = Object.values(filters).some((v) => v !== undefined);
    return {
      items: result.items,
      metadata: hintWhenEmpty(ctx, 'checks', result.items, filtered),
      page: paged.info(result),
    };
  },
});

export const getCheckDetails = defineTool({
  name: 'get_check_details',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: READ,
  description: 'One check: its target, parameters, thresholds, status, and when it last ran and runs next.',
  input: z.strictObject({ check_id: checkId, include: p.include.optional() }),
  async handler(args, ctx) {
    const check = await ctx.ports.checks.getCheck(args.check_id);
    if (!check) throw new NotFoundError('check', args.check_id, 'check_id');
    return { items: [check] };
  },
});

export const createCheck = defineTool({
  name: 'create_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: CREATE,
  description:
    'Create a check that runs on its interval: web/api (URL), tcp (host, port), ssl, dns, icmp (host), multistep, synthetic.',
  input: createForm.input,
  handler: (args, ctx) =>
    createForm.run(args, async (check) => ({ items: [await ctx.ports.checks.createCheck(check)] })),
});

export const updateCheck = defineTool({
  name: 'update_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: UPDATE,
  description: 'Change a check; a new target or interval is judged afresh from its next run.',
  input: updateForm.input,
  handler: ({ check_id, ...rest }, ctx) =>
    updateForm.run(
      rest,
      async (patch) => ({ items: [await ctx.ports.checks.updateCheck(check_id, patch)] }),
      'check_id',
    ),
});

export const deleteCheck = defineTool({
  name: 'delete_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: DELETE,
  description: 'Delete a check with its results. Returns the deleted check.',
  input: z.strictObject({ check_id: checkId }),
  async handler(args, ctx) {
    const check = await ctx.ports.checks.getCheck(args.check_id);
    await ctx.ports.checks.deleteCheck(args.check_id);
    return { items: check ? [check] : [], description: `Deleted check ${args.check_id}` };
  },
});

const setActive = (active: boolean) => async (args: { check_id: string }, ctx: ToolContext) => ({
  items: [await ctx.ports.checks.updateCheck(args.check_id, { active })],
});

export const pauseCheck = defineTool({
  name: 'pause_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: UPDATE,
  description: 'Pause a check: it stops running until resumed.',
  input: z.strictObject({ check_id: checkId }),
  handler: setActive(false),
});

export const resumeCheck = defineTool({
  name: 'resume_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: UPDATE,
  description: 'Resume a paused check: it runs within a minute and then on its interval.',
  input: z.strictObject({ check_id: checkId }),
  handler: setActive(true),
});

const common = {
  name: fields.name,
  host: fields.host,
  interval: fields.interval.default(300),
  active: fields.active.default(true),
};

export const icmpFields = {
  probe_count: z.number().int().min(1).max(100).default(4).describe('Pings per run.'),
  ip_version: z.enum(['v4', 'v6', 'auto']).default('auto').describe('Address family to ping.'),
  probe_interval: z.number().min(0.2).max(10).default(1).describe('Seconds between pings.'),
  probe_timeout: z.number().min(0.1).max(30).default(1).describe('Seconds to wait for each reply.'),
  max_packet_loss: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('Most packet loss allowed, in percent (default 0).'),
};

export const dnsFields = {
  record_type: z
    .enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'PTR', 'CAA'])
    .default('A')
    .describe('Record to look up.'),
  dns_servers: z
    .array(z.string().max(64))
    .max(5)
    .optional()
    .describe('Resolvers to ask, e.g. 1.1.1.1 or 10.0.0.2:5353.'),
  expected_answers: z.array(z.string().max(1000)).max(50).optional().describe('Answers that must be there.'),
  validation_mode: z
    .enum(['contains_all', 'exact'])
    .default('contains_all')
    .describe('contains_all, or exact (nothing else either).'),
};

/** Typed icmp arguments as a check's parameters. */
export function icmpParameters(a: z.output<z.ZodObject<typeof icmpFields>>): Record<string, unknown> {
  const { max_packet_loss, ...rest } = a;
  return { ...rest, ...(max_packet_loss !== undefined && { assertions: { max_packet_loss } }) };
}

export async function createTyped(ctx: ToolContext, input: CheckInput) {
  return { items: [await ctx.ports.checks.createCheck(input)] };
}

export const createIcmpCheck = defineTool({
  name: 'create_icmp_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: CREATE,
  description: 'Create a ping (ICMP) check of a host: packet loss and round-trip time.',
  input: z.strictObject({ ...common, timeout: fields.timeout.default(30), ...icmpFields }),
  handler: ({ name, host, interval, active, timeout, ...icmp }, ctx) =>
    createTyped(ctx, {
      name,
      type: 'icmp',
      host,
      interval,
      active,
      timeout,
      parameters: icmpParameters(icmp),
    }),
});

export const createDnsCheck = defineTool({
  name: 'create_dns_check',
  toolset: 'checks',
  port: 'checks',
  resource: 'checks',
  output: checkItem,
  annotations: CREATE,
  description: 'Create a DNS check: a record of a name, compared with the expected answers.',
  input: z.strictObject({ ...common, timeout: fields.timeout.default(10), ...dnsFields }),
  handler: ({ name, host, interval, active, timeout, ...dns }, ctx) =>
    createTyped(ctx, { name, type: 'dns', host, interval, active, timeout, parameters: dns }),
});

export const checkTools = [
  listChecks,
  getCheckDetails,
  createCheck,
  updateCheck,
  deleteCheck,
  pauseCheck,
  resumeCheck,
  createIcmpCheck,
  createDnsCheck,
];
