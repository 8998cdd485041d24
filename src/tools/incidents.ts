/**
 * The incidents toolset: responder incidents (pages to on-call people — not status-page posts),
 * with the PagerDuty seed's names, parameters and messages (reference/pagerduty-notes.md §1.4),
 * its bugs fixed: `urgencies` counts as a filter beside `incident_id`, and a user with no team
 * gets an empty answer that says why, never the whole account. With no current user at all, reads
 * cover the whole account and say so (current-user.ts).
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.js';
import {
  INCIDENT_STATUSES,
  type Incident,
  type IncidentStatus,
  URGENCIES,
  type Urgency,
} from '../core/incidents.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint } from '../core/pagination.js';
import { currentUser, readScope, rejectContextFilters } from './current-user.js';
import { CREATE, defineTool, READ, UPDATE } from './define-tool.js';
import { hintWhenEmpty, writesNeed } from './hints.js';
import { incidentItem, logEntryItem, noteItem } from './output.js';
import * as p from './params.js';
import { timeRange } from './time.js';

const pyList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

function oneOf<T extends string>(
  values: string[] | undefined,
  valid: readonly T[],
  what: string,
  parameter: string,
): T[] {
  if (values === undefined) return [...valid];
  const bad = values.filter((v) => !(valid as readonly string[]).includes(v));
  if (bad.length) {
    throw new ValidationError(`Invalid ${what} values: ${pyList(bad)}. Valid values are: ${pyList(valid)}`, {
      parameter,
    });
  }
  return [...new Set(values)] as T[];
}

function listMetadata(items: readonly Incident[]) {
  const status_counts = { triggered: 0, acknowledged: 0, resolved: 0 };
  for (const i of items) status_counts[i.status]++;
  return {
    status_counts,
    autoresolve_count: items.filter(
      (i) => i.status === 'resolved' && i.last_status_change_by?.type === 'service_reference',
    ).length,
    no_data_count: items.filter((i) => i.title.startsWith('No Data:')).length,
  };
}

const incidentId = p.id('incident_id').describe('The incident ID (or its number).');

export const getIncidents = defineTool({
  name: 'get_incidents',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: READ,
  description:
    "Responder incidents (pages to on-call people), or one by `incident_id` with its notes, past and related incidents. By default those of the current user's teams and services.",
  narrowHint: 'Narrow with `statuses`, `urgencies`, `since`/`until` or `service_ids`.',
  input: z.strictObject({
    incident_id: incidentId.optional(),
    current_user_context: p.currentUserContext,
    service_ids: p.ids('service_id').optional(),
    team_ids: p.ids('team_id').optional(),
    statuses: z
      .array(z.string().max(32))
      .max(3)
      .optional()
      .describe('triggered, acknowledged and/or resolved (default all).'),
    urgencies: z.array(z.string().max(32)).max(2).optional().describe('high and/or low (default both).'),
    since: z.string().max(64).optional().describe('Created at or after this ISO 8601 time.'),
    until: z
      .string()
      .max(64)
      .optional()
      .describe('Created before this ISO 8601 time (range at most 6 months).'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include_past_incidents: z
      .boolean()
      .default(false)
      .describe('With incident_id: earlier incidents on the same service.'),
    include_related_incidents: z
      .boolean()
      .default(false)
      .describe('With incident_id: incidents open at the same time on team services.'),
    include_notes: z.boolean().default(false).describe('With incident_id: the notes.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const { incidents } = ctx.ports;
    if (args.incident_id !== undefined) {
      const filters = [
        args.service_ids,
        args.team_ids,
        args.statuses,
        args.urgencies,
        args.since,
        args.until,
        args.limit,
        args.cursor,
      ];
      if (filters.some((f) => f !== undefined)) {
        throw new ValidationError(
          `When \`incident_id\` is provided, other filters (like service_ids, team_ids, statuses, etc.) cannot be used. ${p.SEE_DOCS}`,
          { parameter: 'incident_id' },
        );
      }
      const incident = await incidents.get(args.incident_id);
      if (!incident) throw new NotFoundError('incident', args.incident_id, 'incident_id');
      const extra: Record<string, unknown> = {};
      const metadata: Record<string, number> = {};
      if (args.include_notes) {
        extra.notes = await incidents.notes(incident.id);
        metadata.notes_count = (extra.notes as unknown[]).length;
      }
      if (args.include_past_incidents) {
        extra.past_incidents = await incidents.past(incident.id, 5);
        metadata.past_incidents_count = (extra.past_incidents as unknown[]).length;
      }
      if (args.include_related_incidents) {
        extra.related_incidents = await incidents.related(incident.id, 20);
        metadata.related_incidents_count = (extra.related_incidents as unknown[]).length;
      }
      return { items: [{ ...incident, ...extra }], metadata, keep: Object.keys(extra) };
    }
    if (args.include_past_incidents || args.include_related_incidents || args.include_notes) {
      throw new ValidationError(
        `\`include_past_incidents\`, \`include_related_incidents\`, and \`include_notes\` can only be used when a specific \`incident_id\` is provided. ${p.SEE_DOCS}`,
        { parameter: 'incident_id' },
      );
    }
    let { service_ids: serviceIds, team_ids: teamIds } = args;
    let note: string | undefined;
    if (args.current_user_context) {
      rejectContextFilters({ service_ids: serviceIds, team_ids: teamIds });
      const scope = await readScope(ctx);
      if (scope.context?.team_ids.length === 0) {
        return {
          items: [],
          metadata: {
            ...listMetadata([]),
            note: `The current user belongs to no team, so no incidents match their context. Add them to a team that owns services (create_team, create_service${writesNeed(ctx, true)}), or pass current_user_context=false with service_ids or team_ids.`,
          },
        };
      }
      teamIds = scope.context?.team_ids;
      note = scope.note;
    } else if (!serviceIds?.length && !teamIds?.length) {
      throw new ValidationError(
        `Must specify at least service_ids or team_ids when current_user_context is False. ${p.SEE_DOCS}`,
        {
          parameter: 'service_ids',
        },
      );
    }
    const statuses = oneOf<IncidentStatus>(args.statuses, INCIDENT_STATUSES, 'status', 'statuses');
    const urgencies = oneOf<Urgency>(args.urgencies, URGENCIES, 'urgency', 'urgencies');
    const range = timeRange(args.since, args.until);
    const filters = { serviceIds, teamIds, statuses, urgencies, ...range };
    const print = fingerprint(filters);
    const offset = decodeCursor(args.cursor, print);
    const page = await incidents.list({ ...filters, limit: args.limit ?? DEFAULT_LIMIT, offset });
    const narrowed =
      !args.current_user_context ||
      [args.statuses, args.urgencies, args.since, args.until, args.cursor].some((v) => v !== undefined);
    return {
      items: page.items,
      metadata: {
        ...listMetadata(page.items),
        ...(note && { note }),
        ...hintWhenEmpty(ctx, 'incidents', page.items, narrowed),
      },
      page: { offset, more: page.more, fingerprint: print, notice: page.notice },
    };
  },
});

async function actingUser(ctx: Parameters<typeof currentUser>[0]) {
  const user = await currentUser(ctx);
  return { type: 'user' as const, id: user.id };
}

async function mustFind(ctx: Parameters<typeof currentUser>[0], id: string): Promise<Incident> {
  const incident = await ctx.ports.incidents.get(id);
  if (!incident) throw new NotFoundError('incident', id, 'incident_id');
  return incident;
}

export const acknowledgeIncident = defineTool({
  name: 'acknowledge_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: UPDATE,
  description: 'Acknowledge a responder incident as the current user: you are on it, and escalation stops.',
  input: z.strictObject({ incident_id: incidentId, include: p.include.optional() }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    return { items: [await ctx.ports.incidents.acknowledge(incident.id, await actingUser(ctx))] };
  },
});

export const resolveIncident = defineTool({
  name: 'resolve_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: UPDATE,
  description: 'Resolve a responder incident as the current user; escalation ends and its alerts resolve.',
  input: z.strictObject({ incident_id: incidentId, include: p.include.optional() }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    return { items: [await ctx.ports.incidents.resolve(incident.id, await actingUser(ctx))] };
  },
});

export const addIncidentNote = defineTool({
  name: 'add_incident_note',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'notes',
  output: noteItem,
  annotations: CREATE,
  description: 'Add a note to a responder incident as the current user, to record investigation progress.',
  input: z.strictObject({
    incident_id: incidentId,
    content: z.string().max(25_000).describe('The note text.'),
  }),
  async handler(args, ctx) {
    if (!args.content.trim()) throw new ValidationError('content cannot be empty', { parameter: 'content' });
    const incident = await mustFind(ctx, args.incident_id);
    const user = await actingUser(ctx);
    return {
      items: [
        await ctx.ports.incidents.addNote(incident.id, {
          userId: user.id,
          content: args.content,
          channel: 'mcp',
        }),
      ],
    };
  },
});

export const triggerIncident = defineTool({
  name: 'trigger_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: CREATE,
  confirm: "This pages the service's on-call responders now.",
  description:
    'Open a responder incident on a service (paging its escalation policy). With `incident_key`, joins the open incident that has it instead.',
  input: z.strictObject({
    service_id: p.id('service_id'),
    title: z.string().trim().min(1, 'title cannot be empty').max(1024).describe('What is wrong.'),
    urgency: z
      .enum(URGENCIES)
      .optional()
      .describe("high or low (default: the service's incident_urgency_rule, else high)."),
    description: z.string().max(25_000).optional().describe('More detail.'),
    incident_key: z.string().min(1).max(255).optional().describe('Deduplication key.'),
  }),
  async handler(args, ctx) {
    const by = await actingUser(ctx);
    const { id, created } = await ctx.ports.incidents.trigger({
      serviceId: args.service_id,
      title: args.title,
      urgency: args.urgency ?? 'high',
      urgencyGiven: args.urgency !== undefined,
      description: args.description,
      incidentKey: args.incident_key,
      by,
    });
    const incident = await mustFind(ctx, id);
    return {
      items: [incident],
      description: created
        ? `Opened incident ${incident.incident_number}`
        : `Joined open incident ${incident.incident_number} (same incident_key)`,
    };
  },
});

export const getIncidentTimeline = defineTool({
  name: 'get_incident_timeline',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'log_entries',
  output: logEntryItem,
  annotations: READ,
  description:
    'Everything that happened to a responder incident, oldest first: triggers, alerts, assignments, escalations, notifications, acknowledgements, notes, resolution — with time and actor.',
  narrowHint: 'Page with `limit` and `cursor`.',
  input: z.strictObject({
    incident_id: incidentId,
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    const print = fingerprint({ incident: incident.id });
    const offset = decodeCursor(args.cursor, print);
    const page = await ctx.ports.incidents.timeline(incident.id, args.limit ?? DEFAULT_LIMIT, offset);
    return { items: page.items, page: { offset, more: page.more, fingerprint: print, notice: page.notice } };
  },
});

export const reassignIncident = defineTool({
  name: 'reassign_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: UPDATE,
  description: 'Assign a responder incident to these users and page them; escalation by its policy stops.',
  input: z.strictObject({
    incident_id: incidentId,
    user_ids: p
      .ids('user_id')
      .min(1, 'user_ids needs at least one user')
      .max(10)
      .describe('The new assignees.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    return { items: [await ctx.ports.incidents.reassign(incident.id, args.user_ids, await actingUser(ctx))] };
  },
});

export const escalateIncident = defineTool({
  name: 'escalate_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: UPDATE,
  confirm: 'This pages the people at that level now.',
  description:
    "Page a level of the incident's escalation policy now (1 = first level); escalation goes on from there.",
  input: z.strictObject({
    incident_id: incidentId,
    escalation_level: z.number().int().min(1).max(20).describe('The level to page, 1-based.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    return {
      items: [await ctx.ports.incidents.escalate(incident.id, args.escalation_level, await actingUser(ctx))],
    };
  },
});

export const snoozeIncident = defineTool({
  name: 'snooze_incident',
  toolset: 'incidents',
  port: 'incidents',
  resource: 'incidents',
  output: incidentItem,
  annotations: UPDATE,
  description:
    'Snooze an acknowledged responder incident: after `duration` seconds it triggers again and escalation restarts.',
  input: z.strictObject({
    incident_id: incidentId,
    duration: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .describe('Seconds to snooze (60 to 604800).'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const incident = await mustFind(ctx, args.incident_id);
    return { items: [await ctx.ports.incidents.snooze(incident.id, args.duration, await actingUser(ctx))] };
  },
});

export const incidentTools = [
  getIncidents,
  getIncidentTimeline,
  acknowledgeIncident,
  resolveIncident,
  addIncidentNote,
  triggerIncident,
  reassignIncident,
  escalateIncident,
  snoozeIncident,
];
