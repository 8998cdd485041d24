/**
 * Schedule writes in the oncall toolset, in PagerDuty's shape: a schedule with a `time_zone` and
 * `schedule_layers` (rotations of users with a turn length and optional restrictions), and
 * overrides that put someone else on call for a while.
 */
import { z } from 'zod';
import { RESTRICTION_TYPES } from '../core/rotation.js';
import { TimeZone } from '../core/time-zone.js';
import { CREATE, DELETE, defineTool, UPDATE } from './define-tool.js';
import { overrideItem, scheduleItem } from './output.js';
import * as p from './params.js';
import { scheduleId } from './schedules.js';
import { timestamp } from './time.js';

const instant = (what: string) =>
  z
    .string()
    .max(64)
    .transform((v, zctx) => {
      try {
        return timestamp(v, what);
      } catch (err) {
        zctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const timeZone = z
  .string()
  .max(64)
  .refine(TimeZone.isValid, {
    error: (iss) =>
      `Unknown time zone '${String(iss.input)}': use an IANA name such as Europe/Berlin or America/New_York.`,
  })
  .describe('IANA time zone the rotations and restrictions are counted in, e.g. Europe/Berlin.');

const restriction = z.strictObject({
  type: z.enum(RESTRICTION_TYPES).describe('daily_restriction or weekly_restriction.'),
  start_time_of_day: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, 'start_time_of_day must be HH:MM:SS, e.g. 09:00:00')
    .describe('Local time the on-call window opens, HH:MM:SS.'),
  duration_seconds: z
    .number()
    .int()
    .min(1, 'duration_seconds must be at least 1: a window of no time never matches')
    .describe('How long the window stays open.'),
  start_day_of_week: z
    .number()
    .int()
    .min(1)
    .max(7)
    .optional()
    .describe('Weekly restrictions: the day the window opens, 1 = Monday … 7 = Sunday.'),
});

const layers = z
  .array(
    z.strictObject({
      name: z.string().trim().min(1).max(255).optional(),
      start: instant('start').describe('When the layer takes effect, ISO 8601.'),
      end: instant('end').nullable().optional().describe('When it stops (default never).'),
      rotation_virtual_start: instant('rotation_virtual_start')
        .optional()
        .describe("When the first user's first turn starts (default the layer's start)."),
      rotation_turn_length_seconds: z
        .number()
        .int()
        .min(3600, 'rotation_turn_length_seconds must be at least 3600 (an hour)')
        .max(365 * 86_400)
        .describe('Length of each turn: 86400 daily, 604800 weekly.'),
      users: z
        .array(p.id('user_id'))
        .min(1, 'a layer needs at least one user')
        .max(100)
        .describe('User IDs in turn order.'),
      restrictions: z
        .array(restriction)
        .max(21)
        .optional()
        .describe('On call only inside these windows (local time); none means always.'),
    }),
  )
  .min(1, 'schedule_layers needs at least one layer')
  .max(20)
  .describe('Rotations; a later layer covers earlier ones where it has someone on call.');

const name = z.string().trim().min(1, 'name cannot be empty').max(255).describe('A unique name.');
const description = z.string().max(2000).describe('Free text describing it.');

export const createSchedule = defineTool({
  name: 'create_schedule',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'schedules',
  output: scheduleItem,
  annotations: CREATE,
  description:
    'Create an on-call schedule: rotation layers of users with a turn length, optional time-of-day or weekly restrictions, in a time zone.',
  input: z.strictObject({
    name,
    description: description.optional(),
    time_zone: timeZone,
    schedule_layers: layers,
    team_ids: p.ids('team_id').optional().describe('IDs of the teams that own the schedule.'),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.schedules.createSchedule(args)] };
  },
});

export const updateSchedule = defineTool({
  name: 'update_schedule',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'schedules',
  output: scheduleItem,
  annotations: UPDATE,
  description:
    'Change a schedule: name, description, time zone, teams, or its layers (schedule_layers replaces them all).',
  input: z.strictObject({
    schedule_id: scheduleId,
    name: name.optional(),
    description: description.optional(),
    time_zone: timeZone.optional(),
    schedule_layers: layers.optional(),
    team_ids: p.ids('team_id').optional().describe('IDs of the owning teams; replaces the list.'),
  }),
  async handler({ schedule_id, ...patch }, ctx) {
    p.requireChange(patch, 'schedule_id');
    return { items: [await ctx.ports.schedules.updateSchedule(schedule_id, patch)] };
  },
});

export const deleteSchedule = defineTool({
  name: 'delete_schedule',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'schedules',
  output: scheduleItem,
  annotations: DELETE,
  description: 'Delete a schedule that no escalation policy targets. Returns the deleted schedule.',
  input: z.strictObject({ schedule_id: scheduleId }),
  async handler(args, ctx) {
    const schedule = await ctx.ports.schedules.getSchedule(args.schedule_id);
    await ctx.ports.schedules.deleteSchedule(args.schedule_id);
    return { items: schedule ? [schedule] : [], description: `Deleted schedule ${args.schedule_id}` };
  },
});

export const createScheduleOverride = defineTool({
  name: 'create_schedule_override',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'overrides',
  output: overrideItem,
  annotations: CREATE,
  description:
    'Put a user on call in a schedule from start to end, above its layers (a newer override wins where two overlap).',
  input: z.strictObject({
    schedule_id: scheduleId,
    user_id: p.id('user_id').describe('Who is on call instead.'),
    start: instant('start').describe('ISO 8601.'),
    end: instant('end').describe('ISO 8601, after start.'),
  }),
  async handler({ schedule_id, ...input }, ctx) {
    return { items: [await ctx.ports.schedules.createOverride(schedule_id, input)] };
  },
});

export const deleteScheduleOverride = defineTool({
  name: 'delete_schedule_override',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'overrides',
  output: overrideItem,
  annotations: DELETE,
  description: 'Remove an override from a schedule (see get_schedules with schedule_id for their IDs).',
  input: z.strictObject({
    schedule_id: scheduleId,
    override_id: p.id('override_id'),
  }),
  async handler(args, ctx) {
    await ctx.ports.schedules.deleteOverride(args.schedule_id, args.override_id);
    return { items: [], description: `Deleted override ${args.override_id} of schedule ${args.schedule_id}` };
  },
});

export const scheduleWriteTools = [
  createSchedule,
  updateSchedule,
  deleteSchedule,
  createScheduleOverride,
  deleteScheduleOverride,
];
