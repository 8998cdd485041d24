/**
 * The heartbeats toolset, with the Pingera seed's names and parameters (`heartbeat_id`,
 * `heartbeat_data` or the same fields flat, `page`/`page_size`, `from_date`/`to_date`). Every
 * write is a write here, including the ones the seed left callable in read-only mode.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.js';
import {
  DEFAULT_GRACE_SECONDS,
  HEARTBEAT_STATUSES,
  MAX_PERIOD_SECONDS,
  MIN_PERIOD_SECONDS,
} from '../core/heartbeats.js';
import { TimeZone } from '../core/time-zone.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { heartbeatItem, heartbeatPingItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';
import { timestamp } from './time.js';

const heartbeatId = p.id('heartbeat_id').describe('The heartbeat ID.');

const fields = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('A name, e.g. "nightly backup".'),
  period_seconds: z
    .number()
    .int()
    .min(MIN_PERIOD_SECONDS, `period_seconds must be at least ${MIN_PERIOD_SECONDS}`)
    .max(MAX_PERIOD_SECONDS)
    .nullable()
    .describe('Expect a ping every so many seconds (or give cron).'),
  cron: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .nullable()
    .describe('Expect a ping at these times, e.g. "0 2 * * *" (or give period_seconds).'),
  time_zone: z
    .string()
    .max(64)
    .refine(TimeZone.isValid, { error: (i) => `Unknown time zone '${String(i.input)}': use an IANA name.` })
    .describe('Time zone of the cron expression (default UTC).'),
  grace_seconds: z
    .number()
    .int()
    .min(60, 'grace_seconds must be at least 60')
    .max(30 * 86_400)
    .describe(`How long after the expected time it is down (default ${DEFAULT_GRACE_SECONDS}).`),
  active: z.boolean().describe('false pauses it.'),
};

/** A heartbeat's fields, flat or in `heartbeat_data` (the seed's form). */
const heartbeatFields = {
  name: fields.name,
  period_seconds: fields.period_seconds.optional(),
  cron: fields.cron.optional(),
  time_zone: fields.time_zone.optional(),
  grace_seconds: fields.grace_seconds.optional(),
  active: fields.active.optional(),
};
const createForm = p.wrappedFields('heartbeat_data', heartbeatFields, {});
const updateForm = p.wrappedFields(
  'heartbeat_data',
  { ...heartbeatFields, name: fields.name.optional() },
  { heartbeat_id: heartbeatId },
);

export const listHeartbeats = defineTool({
  name: 'list_heartbeats',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'heartbeats',
  output: heartbeatItem,
  annotations: READ,
  description: 'List heartbeats (cron job monitors) with their status: new, up, late, down or paused.',
  narrowHint: 'Narrow with `status`.',
  input: z.strictObject({
    status: z.enum(HEARTBEAT_STATUSES).optional().describe('Only heartbeats in this state.'),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, { status: args.status });
    const result = await ctx.ports.heartbeats.listHeartbeats({
      status: args.status,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const getHeartbeatDetails = defineTool({
  name: 'get_heartbeat_details',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'heartbeats',
  output: heartbeatItem,
  annotations: READ,
  description:
    'A heartbeat with its ping URL, schedule, state, when the next ping is due and its last 10 pings.',
  input: z.strictObject({ heartbeat_id: heartbeatId, include: p.include.optional() }),
  async handler(args, ctx) {
    const heartbeat = await ctx.ports.heartbeats.getHeartbeat(args.heartbeat_id);
    if (!heartbeat) throw new NotFoundError('heartbeat', args.heartbeat_id, 'heartbeat_id');
    return { items: [heartbeat] };
  },
});

export const createHeartbeat = defineTool({
  name: 'create_heartbeat',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'heartbeats',
  output: heartbeatItem,
  annotations: CREATE,
  description:
    'Create a heartbeat for a cron job or worker: it pings the returned ping_url when it runs; Vigil marks it late, then down, when pings stop.',
  input: createForm.input,
  handler: (args, ctx) =>
    createForm.run(args, async (heartbeat) => ({
      items: [await ctx.ports.heartbeats.createHeartbeat(heartbeat)],
    })),
});

export const updateHeartbeat = defineTool({
  name: 'update_heartbeat',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'heartbeats',
  output: heartbeatItem,
  annotations: UPDATE,
  description:
    'Change a heartbeat: name, schedule (period_seconds or cron replaces the other), grace, or active=false to pause and true to resume.',
  input: updateForm.input,
  handler: ({ heartbeat_id, ...rest }, ctx) =>
    updateForm.run(
      rest,
      async (patch) => ({ items: [await ctx.ports.heartbeats.updateHeartbeat(heartbeat_id, patch)] }),
      'heartbeat_id',
    ),
});

export const deleteHeartbeat = defineTool({
  name: 'delete_heartbeat',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'heartbeats',
  output: heartbeatItem,
  annotations: DELETE,
  description: 'Delete a heartbeat and its pings; its ping URL stops working. Returns the deleted heartbeat.',
  input: z.strictObject({ heartbeat_id: heartbeatId }),
  async handler(args, ctx) {
    const heartbeat = await ctx.ports.heartbeats.getHeartbeat(args.heartbeat_id);
    await ctx.ports.heartbeats.deleteHeartbeat(args.heartbeat_id);
    return { items: heartbeat ? [heartbeat] : [], description: `Deleted heartbeat ${args.heartbeat_id}` };
  },
});

export const sendHeartbeatPing = defineTool({
  name: 'send_heartbeat_ping',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'pings',
  output: heartbeatPingItem,
  annotations: CREATE,
  description: 'Record a ping for a heartbeat now, as its job would (a success unless kind says otherwise).',
  input: z.strictObject({
    heartbeat_id: heartbeatId,
    kind: z.enum(['success', 'start', 'fail']).default('success').describe('What the ping reports.'),
    ping_data: z.record(z.string(), z.unknown()).optional().describe('JSON kept with the ping.'),
  }),
  async handler(args, ctx) {
    const body = args.ping_data && JSON.stringify(args.ping_data);
    if (body && Buffer.byteLength(body) > 10 * 1024) {
      throw new ValidationError('ping_data is over 10 KB.', { parameter: 'ping_data' });
    }
    const outcome = await ctx.ports.heartbeats.ping(
      { id: args.heartbeat_id },
      { kind: args.kind, userAgent: 'vigil-mcp (send_heartbeat_ping)', body },
    );
    if (!outcome) throw new NotFoundError('heartbeat', args.heartbeat_id, 'heartbeat_id');
    return {
      items: [outcome.ping],
      description: `Ping recorded; the heartbeat is ${outcome.heartbeat.status}`,
      metadata: {
        status: outcome.heartbeat.status,
        next_expected_ping: outcome.heartbeat.next_expected_ping,
      },
    };
  },
});

export const getHeartbeatLogs = defineTool({
  name: 'get_heartbeat_logs',
  toolset: 'heartbeats',
  port: 'heartbeats',
  resource: 'pings',
  output: heartbeatPingItem,
  annotations: READ,
  description: "A heartbeat's pings, newest first: when, what they reported, from where, and the body sent.",
  narrowHint: 'Narrow with `from_date` and `to_date`.',
  input: z.strictObject({
    heartbeat_id: heartbeatId,
    from_date: z.string().max(64).optional().describe('Pings from this time, ISO 8601.'),
    to_date: z.string().max(64).optional().describe('Pings before this time, ISO 8601.'),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const since =
      args.from_date === undefined ? undefined : Date.parse(timestamp(args.from_date, 'from_date'));
    const until = args.to_date === undefined ? undefined : Date.parse(timestamp(args.to_date, 'to_date'));
    if (since !== undefined && until !== undefined && since >= until) {
      throw new ValidationError('`from_date` must be before `to_date`.', { parameter: 'from_date' });
    }
    const paged = paging(args, { heartbeat_id: args.heartbeat_id, since, until });
    const result = await ctx.ports.heartbeats.listPings(args.heartbeat_id, {
      since,
      until,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const heartbeatTools = [
  listHeartbeats,
  getHeartbeatDetails,
  createHeartbeat,
  updateHeartbeat,
  deleteHeartbeat,
  sendHeartbeatPing,
  getHeartbeatLogs,
];
