/**
 * The status_pages toolset, part two: status-page incidents (public posts, not the responder
 * incidents of get_incidents), maintenance and incident updates, with the Pingera seed's names
 * and parameters (the writes' fields flat, or in `incident_data` and `update_data`). Maintenance
 * is an incident with scheduled_for and scheduled_until.
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import {
  ALL_INCIDENT_STATUSES,
  COMPONENT_STATUSES,
  INCIDENT_IMPACTS,
  type IncidentInput,
} from '../core/status-pages.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { incidentUpdateItem, statusIncidentItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';
import { pageId } from './status-pages.js';
import { timestamp } from './time.js';

const incidentId = p.id('incident_id');
const updateId = p.id('update_id').describe('The incident update ID.');

const status = z.enum(ALL_INCIDENT_STATUSES).describe('Maintenance takes the last four.');
const fields = {
  name: z.string().trim().min(1, 'name cannot be empty').max(200).describe('Title.'),
  body: z.string().max(10_000).describe('Message; posted as an update.'),
  impact: z.enum(INCIDENT_IMPACTS).describe('Default none.'),
  deliver_notifications: z.boolean().describe('Notify subscribers (default true).'),
  components: z
    .record(z.string().max(64), z.enum(COMPONENT_STATUSES))
    .refine((c) => Object.keys(c).length <= 200, 'components names at most 200 components')
    .describe('{component_id: status} shown while it is active.'),
  scheduled_for: z.string().max(64).nullable().describe('Maintenance start, ISO 8601.'),
  scheduled_until: z.string().max(64).nullable().describe('Maintenance end, ISO 8601; after the start.'),
};
const flag = (what: string) => z.boolean().optional().describe(what);
const maintenanceFlags = {
  scheduled_remind_prior: flag('Remind before it starts.'),
  scheduled_auto_in_progress: flag('Start on time (default true).'),
  scheduled_auto_completed: flag('Complete on time (default true).'),
  auto_transition_to_maintenance_state: flag('Components under_maintenance during it.'),
  auto_transition_to_operational_state: flag('Components operational after it.'),
  auto_transition_deliver_notifications_at_start: flag('Notify at auto start.'),
  auto_transition_deliver_notifications_at_end: flag('Notify at auto end.'),
  reminder_intervals: z.string().max(200).optional().describe('e.g. "[3, 6, 12]" (hours).'),
  metadata: z.record(z.string(), z.unknown()).optional().describe('Free-form JSON.'),
};

/** Normalises the maintenance window's timestamps to UTC ISO text. */
function withSchedule<T extends Pick<Partial<IncidentInput>, 'scheduled_for' | 'scheduled_until'>>(
  args: T,
): T {
  const out = { ...args };
  if (out.scheduled_for != null) out.scheduled_for = timestamp(out.scheduled_for, 'scheduled_for');
  if (out.scheduled_until != null) out.scheduled_until = timestamp(out.scheduled_until, 'scheduled_until');
  return out;
}

/** An incident's fields, flat or in `incident_data` (the seed's README form). */
const createForm = p.wrappedFields(
  'incident_data',
  {
    name: fields.name,
    status,
    body: fields.body.optional(),
    impact: fields.impact.optional(),
    deliver_notifications: fields.deliver_notifications.default(true),
    components: fields.components.optional(),
    scheduled_for: fields.scheduled_for.unwrap().optional().describe('Maintenance start, ISO 8601.'),
    scheduled_until: fields.scheduled_until
      .unwrap()
      .optional()
      .describe('Maintenance end, ISO 8601; after the start.'),
  },
  { page_id: pageId },
);

const changeForm = p.wrappedFields(
  'incident_data',
  {
    name: fields.name.optional(),
    status: status.optional(),
    body: fields.body.optional(),
    impact: fields.impact.optional(),
    deliver_notifications: fields.deliver_notifications.optional(),
    components: fields.components.optional(),
    scheduled_for: fields.scheduled_for.optional(),
    scheduled_until: fields.scheduled_until.optional(),
    ...maintenanceFlags,
  },
  { page_id: pageId, incident_id: incidentId },
);

/** An incident update's fields, flat or in `update_data` (the seed's form). */
const addUpdateForm = p.wrappedFields(
  'update_data',
  {
    body: z.string().trim().min(1, 'body cannot be empty').max(10_000).describe('The message.'),
    status,
    deliver_notifications: fields.deliver_notifications.optional(),
  },
  { page_id: pageId, incident_id: incidentId },
);

const editUpdateForm = p.wrappedFields(
  'update_data',
  {
    body: z.string().trim().min(1, 'body cannot be empty').max(10_000).optional().describe('The message.'),
    created_at: z.string().max(64).optional().describe('When it was posted, ISO 8601.'),
  },
  { page_id: pageId, incident_id: incidentId, update_id: updateId },
);

export const listIncidents = defineTool({
  name: 'list_incidents',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incidents',
  output: statusIncidentItem,
  annotations: READ,
  description:
    "A status page's public incidents and maintenance, newest first (for responder incidents use get_incidents).",
  narrowHint: 'Narrow with `status`.',
  input: z.strictObject({
    page_id: pageId,
    status: status.optional(),
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, { page_id: args.page_id, status: args.status });
    const result = await ctx.ports.statusPages.listIncidents(args.page_id, {
      status: args.status,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const getIncidentDetails = defineTool({
  name: 'get_incident_details',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incidents',
  output: statusIncidentItem,
  annotations: READ,
  description: 'One status-page incident or maintenance, with its updates.',
  input: z.strictObject({ page_id: pageId, incident_id: incidentId, include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.statusPages.getIncident(args.page_id, args.incident_id)] };
  },
});

export const getIncidentUpdates = defineTool({
  name: 'get_incident_updates',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incident_updates',
  output: incidentUpdateItem,
  annotations: READ,
  description: "A status-page incident's updates, newest first.",
  input: z.strictObject({ page_id: pageId, incident_id: incidentId, include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: await ctx.ports.statusPages.listIncidentUpdates(args.page_id, args.incident_id) };
  },
});

export const getIncidentUpdateDetails = defineTool({
  name: 'get_incident_update_details',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incident_updates',
  output: incidentUpdateItem,
  annotations: READ,
  description: 'One update of a status-page incident.',
  input: z.strictObject({
    page_id: pageId,
    incident_id: incidentId,
    update_id: updateId,
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const updates = await ctx.ports.statusPages.listIncidentUpdates(args.page_id, args.incident_id);
    const update = updates.find((u) => u.id === args.update_id);
    if (!update) throw new NotFoundError('incident update', args.update_id, 'update_id');
    return { items: [update] };
  },
});

export const createIncident = defineTool({
  name: 'create_incident',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incidents',
  output: statusIncidentItem,
  annotations: CREATE,
  description:
    'Post an incident on a status page (components sets their status while open), or maintenance with scheduled_for/until.',
  input: createForm.input,
  handler: ({ page_id, ...rest }, ctx) =>
    createForm.run(rest, async (input) => ({
      items: [await ctx.ports.statusPages.createIncident(page_id, withSchedule(input))],
    })),
});

const changeIncident = (name: 'update_incident' | 'patch_incident', description: string) =>
  defineTool({
    name,
    toolset: 'status_pages',
    port: 'statusPages',
    resource: 'incidents',
    output: statusIncidentItem,
    annotations: UPDATE,
    description,
    input: changeForm.input,
    handler: ({ page_id, incident_id, ...rest }, ctx) =>
      changeForm.run(
        rest,
        async (patch) => ({
          items: [await ctx.ports.statusPages.updateIncident(page_id, incident_id, withSchedule(patch))],
        }),
        'incident_id',
      ),
  });

export const updateIncident = changeIncident(
  'update_incident',
  'Change a status-page incident or maintenance; a new status or body posts an update (as patch_incident).',
);
export const patchIncident = changeIncident(
  'patch_incident',
  'Change some fields of a status-page incident, e.g. status=resolved; the others stay.',
);

export const deleteIncident = defineTool({
  name: 'delete_incident',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incidents',
  output: statusIncidentItem,
  annotations: DELETE,
  description: 'Delete a status-page incident and its updates.',
  input: z.strictObject({ page_id: pageId, incident_id: incidentId }),
  async handler(args, ctx) {
    const deleted = await ctx.ports.statusPages.deleteIncident(args.page_id, args.incident_id);
    return { items: [deleted], description: `Deleted incident ${deleted.id}` };
  },
});

export const addIncidentUpdate = defineTool({
  name: 'add_incident_update',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incident_updates',
  output: incidentUpdateItem,
  annotations: CREATE,
  description: 'Post an update on a status-page incident; its status becomes the incident’s.',
  input: addUpdateForm.input,
  handler: ({ page_id, incident_id, ...rest }, ctx) =>
    addUpdateForm.run(rest, async (update) => ({
      items: [await ctx.ports.statusPages.addIncidentUpdate(page_id, incident_id, update)],
    })),
});

export const updateIncidentUpdate = defineTool({
  name: 'update_incident_update',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incident_updates',
  output: incidentUpdateItem,
  annotations: UPDATE,
  description: "Correct an incident update's message or its time.",
  input: editUpdateForm.input,
  handler: ({ page_id, incident_id, update_id, ...rest }, ctx) =>
    editUpdateForm.run(
      rest,
      async ({ body, created_at }) => {
        const patch = {
          body,
          created_at: created_at === undefined ? undefined : timestamp(created_at, 'created_at'),
        };
        return {
          items: [await ctx.ports.statusPages.editIncidentUpdate(page_id, incident_id, update_id, patch)],
        };
      },
      'update_id',
    ),
});

export const deleteIncidentUpdate = defineTool({
  name: 'delete_incident_update',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'incident_updates',
  output: incidentUpdateItem,
  annotations: DELETE,
  description: 'Delete one update of a status-page incident.',
  input: z.strictObject({ page_id: pageId, incident_id: incidentId, update_id: updateId }),
  async handler(args, ctx) {
    const deleted = await ctx.ports.statusPages.deleteIncidentUpdate(
      args.page_id,
      args.incident_id,
      args.update_id,
    );
    return { items: [deleted], description: `Deleted incident update ${deleted.id}` };
  },
});

export const statusIncidentTools = [
  listIncidents,
  getIncidentDetails,
  getIncidentUpdates,
  getIncidentUpdateDetails,
  createIncident,
  updateIncident,
  patchIncident,
  deleteIncident,
  addIncidentUpdate,
  updateIncidentUpdate,
  deleteIncidentUpdate,
];
