/**
 * On-call schedules and on-call shifts, and their port. Shapes follow PagerDuty's field names:
 * a schedule has `schedule_layers` (rotations), overrides, a `time_zone`, and for a window a
 * `final_schedule` of `rendered_schedule_entries`. Schedules, overrides and on-call shifts are
 * each defined once, as a zod schema: their types derive from it, and the tools' output schemas
 * are these.
 */
import { z } from 'zod';
import type { Page } from './directory.js';
import { ValidationError } from './errors.js';
import { refSchema } from './incidents.js';
import { type LayerSpec, type Restriction, renderLayer } from './rotation.js';
import { TimeZone, WEEK } from './time-zone.js';

export type { Restriction } from './rotation.js';

export const shiftEntrySchema = z.object({ start: z.string(), end: z.string(), user: refSchema });
export type ShiftEntry = z.infer<typeof shiftEntrySchema>;

export interface ScheduleLayer {
  id: string;
  name: string;
  start: string;
  end: string | null;
  rotation_virtual_start: string;
  rotation_turn_length_seconds: number;
  users: { id: string; summary: string }[];
  restrictions: Restriction[];
  /** Only when the schedule is read for a window. */
  rendered_schedule_entries?: ShiftEntry[];
}

export const scheduleOverrideSchema = z.object({
  id: z.string(),
  start: z.string(),
  end: z.string(),
  user: refSchema,
  created_at: z.string().optional(),
});
export type ScheduleOverride = z.infer<typeof scheduleOverrideSchema>;

export const scheduleSchema = z.object({
  id: z.string(),
  type: z.literal('schedule'),
  name: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  time_zone: z.string(),
  /** Later layers take precedence over earlier ones where both have someone on call. */
  schedule_layers: z.array(z.object({ id: z.string(), name: z.string(), users: z.array(refSchema) }).loose()),
  escalation_policies: z.array(refSchema),
  teams: z.array(refSchema),
  users: z.array(refSchema),
  /** Only when the schedule is read for a window. */
  overrides: z.array(scheduleOverrideSchema.omit({ created_at: true }).loose()).optional(),
  final_schedule: z
    .object({
      name: z.string(),
      rendered_schedule_entries: z.array(shiftEntrySchema),
      rendered_coverage_percentage: z.number(),
    })
    .optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
/** Answers list layers loosely (id, name, users) and overrides without their creation; the domain holds both whole. */
export type Schedule = Omit<z.infer<typeof scheduleSchema>, 'schedule_layers' | 'overrides'> & {
  schedule_layers: ScheduleLayer[];
  overrides?: ScheduleOverride[];
};

export interface LayerInput {
  name?: string | undefined;
  start: string;
  end?: string | null | undefined;
  rotation_virtual_start?: string | undefined;
  rotation_turn_length_seconds: number;
  users: string[];
  restrictions?: Restriction[] | undefined;
}

export interface ScheduleInput {
  name: string;
  description?: string | undefined;
  time_zone: string;
  schedule_layers: LayerInput[];
  team_ids?: string[] | undefined;
}

export interface OverrideInput {
  start: string;
  end: string;
  user_id: string;
}

export interface Window {
  since: number;
  until: number;
}

export interface ScheduleFilter {
  query?: string | undefined;
  teamIds?: string[] | undefined;
  userIds?: string[] | undefined;
  limit: number;
  offset: number;
}

export const oncallSchema = z.object({
  user: refSchema,
  /** Null when the escalation policy targets the user directly. */
  schedule: refSchema.nullable(),
  escalation_policy: refSchema,
  escalation_level: z.number().int(),
  /** Null for direct targets: on call whenever the policy pages that level. */
  start: z.string().nullable(),
  end: z.string().nullable(),
});
export type Oncall = z.infer<typeof oncallSchema>;

export interface OncallFilter extends Window {
  scheduleIds?: string[] | undefined;
  userIds?: string[] | undefined;
  policyIds?: string[] | undefined;
  /** Only the earliest shift per escalation policy, level and user. */
  earliest?: boolean | undefined;
  limit: number;
  offset: number;
}

export interface SchedulesPort {
  getSchedule(id: string, window?: Window): Promise<Schedule | undefined>;
  listSchedules(filter: ScheduleFilter): Promise<Page<Schedule>>;
  createSchedule(input: ScheduleInput): Promise<Schedule>;
  updateSchedule(id: string, patch: Partial<ScheduleInput>): Promise<Schedule>;
  deleteSchedule(id: string): Promise<void>;
  createOverride(scheduleId: string, input: OverrideInput): Promise<ScheduleOverride>;
  deleteOverride(scheduleId: string, overrideId: string): Promise<void>;
  /** The users on call at any time in the window, in the order they first come on. */
  usersOnCall(scheduleId: string, window: Window): Promise<string[]>;
  listOncalls(filter: OncallFilter): Promise<Page<Oncall>>;
}

/** The longest window a schedule or on-call query renders. */
export const MAX_WINDOW_DAYS = 731;

export interface ParsedLayer {
  name: string;
  spec: LayerSpec;
}

const SECONDS_IN = { daily_restriction: 86_400, weekly_restriction: 604_800 } as const;

/**
 * Checks layers beyond their shape and turns them into rotation specs: an end after the start,
 * restrictions that fit their period, and on-call time somewhere in the layer's first weeks (a
 * layer whose restrictions never fall between its start and end pages nobody, ever).
 */
export function parseLayers(layers: readonly LayerInput[], timeZone: string): ParsedLayer[] {
  const tz = TimeZone.of(timeZone);
  return layers.map((layer, i) => {
    const at = (field: string) => `schedule_layers[${i}].${field}`;
    const start = Date.parse(layer.start);
    const end = layer.end == null ? null : Date.parse(layer.end);
    if (end !== null && end <= start) {
      throw new ValidationError(`${at('end')} must be after the layer's start.`, { parameter: at('end') });
    }
    const restrictions = layer.restrictions ?? [];
    for (const [j, r] of restrictions.entries()) {
      const where = at(`restrictions[${j}]`);
      const weekly = r.type === 'weekly_restriction';
      if (weekly !== (r.start_day_of_week !== undefined)) {
        throw new ValidationError(
          weekly
            ? `${where}: a weekly_restriction needs start_day_of_week (1 = Monday … 7 = Sunday).`
            : `${where}: start_day_of_week applies to weekly_restriction only.`,
          { parameter: where },
        );
      }
      if (r.duration_seconds > SECONDS_IN[r.type]) {
        throw new ValidationError(
          `${where}: duration_seconds ${r.duration_seconds} is longer than a ${weekly ? 'week' : 'day'} (${SECONDS_IN[r.type]}).`,
          { parameter: where },
        );
      }
    }
    const spec: LayerSpec = {
      start,
      end,
      virtualStart: layer.rotation_virtual_start ? Date.parse(layer.rotation_virtual_start) : start,
      turnSeconds: layer.rotation_turn_length_seconds,
      userIds: layer.users,
      restrictions,
    };
    const probeEnd = Math.min(end ?? Number.POSITIVE_INFINITY, start + 2 * WEEK);
    if (restrictions.length && renderLayer(spec, tz, start, probeEnd).length === 0) {
      throw new ValidationError(
        `${at('restrictions')} never match between the layer's start and end, so nobody would ever be on call in it.`,
        { parameter: at('restrictions') },
      );
    }
    return { name: layer.name ?? `Layer ${i + 1}`, spec };
  });
}
