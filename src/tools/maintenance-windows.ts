/**
 * Service maintenance windows in the incidents toolset, in PagerDuty's shape and names
 * (`/maintenance_windows`: `start_time`, `end_time`, `description`, `services`): while one is in
 * effect its services open no incident and page nobody. Served by the embedded engine and by
 * PagerDuty alike; times are ISO 8601, normalised to UTC.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.js';
import {
  MAINTENANCE_WINDOW_FILTERS,
  maintenanceWindowSchema,
  mustEndAfterStart,
} from '../core/maintenance-windows.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint } from '../core/pagination.js';
import { findCurrentUser } from './current-user.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import * as p from './params.js';
import { timestamp } from './time.js';

const windowId = p.id('maintenance_window_id').describe('The maintenance window ID.');
const time = (what: string) => z.string().max(64).describe(`${what} (ISO 8601 with a zone).`);
const description = z.string().max(1024).describe('What the maintenance is for.');
const serviceIds = z
  .array(p.id('service_id'))
  .min(1, 'service_ids needs at least one service')
  .max(100)
  .describe('IDs of the services it silences.');

/**
 * The times given, in UTC, with the end after the start and in the future (naming the field),
 * checked here so that PagerDuty's windows get the same clear errors as the embedded engine's.
 */
function times(start: string | undefined, end: string | undefined) {
  const s = start === undefined ? undefined : timestamp(start, 'start_time');
  const e = end === undefined ? undefined : timestamp(end, 'end_time');
  mustEndAfterStart(s, e, Date.now());
  return { ...(s && { start_time: s }), ...(e && { end_time: e }) };
}

/** The parameters of a list, which getting one window by id does not take. */
const LIST_ONLY = ['service_ids', 'team_ids', 'query', 'limit', 'cursor'] as const;

export const listMaintenanceWindows = defineTool({
  name: 'list_maintenance_windows',
  toolset: 'incidents',
  port: 'maintenanceWindows',
  resource: 'maintenance_windows',
  output: maintenanceWindowSchema,
  annotations: READ,
  description:
    'List maintenance windows (their services page nobody while one is on), or get one by `maintenance_window_id`.',
  narrowHint: 'Narrow with `filter`, `service_ids`, `team_ids` or `query`.',
  input: z.strictObject({
    maintenance_window_id: windowId.optional(),
    filter: z
      .enum(MAINTENANCE_WINDOW_FILTERS)
      .default('open')
      .describe('past, future, ongoing, open (default: ongoing or future) or all.'),
    service_ids: p.ids('service_id').optional(),
    team_ids: p.ids('team_id').optional(),
    query: z.string().max(256).optional().describe('Text in the description.'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const port = ctx.ports.maintenanceWindows;
    if (args.maintenance_window_id !== undefined) {
      const listOnly = LIST_ONLY.find((k) => args[k] !== undefined);
      if (listOnly)
        throw new ValidationError(
          `${listOnly} narrows a list; with maintenance_window_id the one window is answered. Pass one or the other.`,
          { parameter: listOnly },
        );
      const w = await port.getWindow(args.maintenance_window_id);
      if (!w)
        throw new NotFoundError('maintenance window', args.maintenance_window_id, 'maintenance_window_id');
      return { items: [w] };
    }
    const filters = {
      filter: args.filter,
      serviceIds: args.service_ids,
      teamIds: args.team_ids,
      query: args.query,
    };
    const print = fingerprint(filters);
    const offset = decodeCursor(args.cursor, print);
    const page = await port.listWindows({ ...filters, limit: args.limit ?? DEFAULT_LIMIT, offset });
    return { items: page.items, page: { offset, more: page.more, fingerprint: print, notice: page.notice } };
  },
});

export const createMaintenanceWindow = defineTool({
  name: 'create_maintenance_window',
  toolset: 'incidents',
  port: 'maintenanceWindows',
  resource: 'maintenance_windows',
  output: maintenanceWindowSchema,
  annotations: CREATE,
  description:
    'Create a maintenance window: from start_time to end_time its services open no incidents and page nobody. A past start_time starts it now.',
  input: z.strictObject({
    start_time: time('When it starts'),
    end_time: time('When it ends; after start_time, in the future'),
    description: description.optional(),
    service_ids: serviceIds,
  }),
  async handler(args, ctx) {
    const t = times(args.start_time, args.end_time) as { start_time: string; end_time: string };
    const me = await findCurrentUser(ctx).catch(() => undefined);
    const w = await ctx.ports.maintenanceWindows.createWindow(
      { ...t, description: args.description, service_ids: args.service_ids },
      me?.user?.id,
    );
    return { items: [w] };
  },
});

export const updateMaintenanceWindow = defineTool({
  name: 'update_maintenance_window',
  toolset: 'incidents',
  port: 'maintenanceWindows',
  resource: 'maintenance_windows',
  output: maintenanceWindowSchema,
  annotations: UPDATE,
  description:
    'Change a maintenance window that has not ended: its times, description or services (service_ids replaces the list).',
  input: z.strictObject({
    maintenance_window_id: windowId,
    start_time: time('When it starts').optional(),
    end_time: time('When it ends').optional(),
    description: description.optional(),
    service_ids: serviceIds.optional(),
  }),
  async handler({ maintenance_window_id: id, ...patch }, ctx) {
    p.requireChange(patch, 'maintenance_window_id');
    const w = await ctx.ports.maintenanceWindows.updateWindow(id, {
      ...times(patch.start_time, patch.end_time),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.service_ids && { service_ids: patch.service_ids }),
    });
    return { items: [w] };
  },
});

export const deleteMaintenanceWindow = defineTool({
  name: 'delete_maintenance_window',
  toolset: 'incidents',
  port: 'maintenanceWindows',
  resource: 'maintenance_windows',
  output: maintenanceWindowSchema,
  annotations: DELETE,
  description: 'Delete a future maintenance window, or end an ongoing one now. Returns it as it was.',
  input: z.strictObject({ maintenance_window_id: windowId }),
  async handler(args, ctx) {
    const w = await ctx.ports.maintenanceWindows.deleteWindow(args.maintenance_window_id);
    return { items: [w], description: `Deleted or ended maintenance window ${args.maintenance_window_id}` };
  },
});

export const maintenanceWindowTools = [
  listMaintenanceWindows,
  createMaintenanceWindow,
  updateMaintenanceWindow,
  deleteMaintenanceWindow,
];
