/**
 * On-call reads in the oncall toolset, with the PagerDuty seed's names, parameters and messages:
 * `get_schedules`, `list_users_oncall`, `get_oncalls` (with `earliest`).
 */
import { z } from 'zod';
import type { User } from '../core/directory.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint } from '../core/pagination.js';
import type { Window } from '../core/schedules.js';
import { readScope, rejectContextFilters } from './current-user.js';
import { defineTool, READ } from './define-tool.js';
import { hintWhenEmpty, writesNeed } from './hints.js';
import { oncallItem, scheduleItem, userItem } from './output.js';
import * as p from './params.js';
import { timeRange } from './time.js';

const DEFAULT_SCHEDULE_DAYS = 14;

export const scheduleId = p.id('schedule_id').describe('The schedule ID.');
const since = z.string().max(64).describe('Start of the window, ISO 8601 (default now).');
const until = z.string().max(64).describe('End of the window, ISO 8601.');

/** The window of `since`/`until`: `since` defaults to now, `until` to `days` later (or an instant). */
function window(args: { since?: string | undefined; until?: string | undefined }, days: number): Window {
  const given = timeRange(args.since, args.until);
  const start = given.since ? Date.parse(given.since) : Date.now();
  const end = given.until ? Date.parse(given.until) : start + Math.max(days * 86_400_000, 1000);
  if (end <= start) {
    throw new ValidationError('`until` must be after `since` (which is now when not given).', {
      parameter: 'until',
    });
  }
  // The seed's six-month limit, also when one end is the default.
  timeRange(new Date(start).toISOString(), new Date(end).toISOString());
  return { since: start, until: end };
}

export const getSchedules = defineTool({
  name: 'get_schedules',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'schedules',
  output: scheduleItem,
  annotations: READ,
  description:
    'List on-call schedules, or get one by `schedule_id` with its final schedule, layers and overrides rendered for since/until (default the next 14 days).',
  narrowHint: 'Narrow with `query`, `team_ids` or `user_ids`.',
  input: z.strictObject({
    schedule_id: scheduleId.optional(),
    query: p.query.optional(),
    team_ids: p.ids('team_id').optional(),
    user_ids: p.ids('user_id').optional().describe('Schedules with any of these users in a layer.'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    since: since.optional(),
    until: until.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const { schedules } = ctx.ports;
    if (args.schedule_id !== undefined) {
      if ([args.query, args.limit, args.team_ids, args.user_ids, args.cursor].some((v) => v !== undefined)) {
        throw new ValidationError(
          `When \`schedule_id\` is provided, other filters (query, limit) cannot be used. ${p.SEE_DOCS}`,
          { parameter: 'schedule_id' },
        );
      }
      const schedule = await schedules.getSchedule(args.schedule_id, window(args, DEFAULT_SCHEDULE_DAYS));
      if (!schedule) throw new NotFoundError('schedule', args.schedule_id, 'schedule_id');
      return { items: [schedule] };
    }
    if (args.since !== undefined || args.until !== undefined) {
      throw new ValidationError(
        '`since` and `until` render one schedule: pass them with `schedule_id`, or use get_oncalls for shifts across schedules.',
        { parameter: args.since !== undefined ? 'since' : 'until' },
      );
    }
    const filters = { query: args.query, teamIds: args.team_ids, userIds: args.user_ids };
    const print = fingerprint(filters);
    const offset = decodeCursor(args.cursor, print);
    const page = await schedules.listSchedules({ ...filters, limit: args.limit ?? DEFAULT_LIMIT, offset });
    return { items: page.items, page: { offset, more: page.more, fingerprint: print, notice: page.notice } };
  },
});

export const listUsersOncall = defineTool({
  name: 'list_users_oncall',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'users',
  output: userItem,
  annotations: READ,
  description:
    'The users on call in a schedule at any time between since and until (without them: right now), in the order they come on.',
  input: z.strictObject({
    schedule_id: scheduleId,
    since: since.optional(),
    until: until.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const ids = await ctx.ports.schedules.usersOnCall(args.schedule_id, window(args, 0));
    const users = await Promise.all(ids.map((id) => ctx.ports.directory.getUser(id)));
    return { items: users.filter((u): u is User => u !== undefined) };
  },
});

export const getOncalls = defineTool({
  name: 'get_oncalls',
  toolset: 'oncall',
  port: 'schedules',
  resource: 'oncalls',
  output: oncallItem,
  annotations: READ,
  description:
    "Who is on call, per escalation policy and level, between since and until (default now). By default the current user's escalation policies; `earliest` keeps each user's next shift only.",
  narrowHint: 'Narrow with `schedule_ids`, `user_ids`, `escalation_policy_ids` or a shorter window.',
  input: z.strictObject({
    current_user_context: p.currentUserContext,
    schedule_ids: p.ids('schedule_id').optional(),
    user_ids: p.ids('user_id').optional(),
    escalation_policy_ids: p.ids('escalation_policy_id').optional(),
    since: since.optional(),
    until: until.optional(),
    earliest: z
      .boolean()
      .optional()
      .describe('Only the earliest shift per escalation policy, level and user.'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    let policyIds = args.escalation_policy_ids;
    let note: string | undefined;
    if (args.current_user_context) {
      rejectContextFilters({ user_ids: args.user_ids });
      rejectContextFilters({ escalation_policy_ids: policyIds });
      const scope = await readScope(ctx);
      policyIds = scope.context?.escalation_policy_ids;
      note = scope.note;
      if (policyIds?.length === 0) {
        return {
          items: [],
          metadata: {
            note: `No escalation policy pages the current user. Add them to one (create_escalation_policy, update_escalation_policy${writesNeed(ctx, true)}), or pass current_user_context=false with schedule_ids, user_ids or escalation_policy_ids.`,
          },
        };
      }
    } else if (!args.schedule_ids?.length && !args.user_ids?.length && !policyIds?.length) {
      throw new ValidationError(
        `When current_user_context is False, must specify at least one of: schedule_ids, user_ids, or escalation_policy_ids. ${p.SEE_DOCS}`,
        { parameter: 'schedule_ids' },
      );
    }
    const filters = {
      scheduleIds: args.schedule_ids,
      userIds: args.user_ids,
      policyIds,
      earliest: args.earliest,
    };
    // The window as given, so a cursor still fits when "now" has moved on.
    const print = fingerprint({ ...filters, since: args.since, until: args.until });
    const offset = decodeCursor(args.cursor, print);
    const page = await ctx.ports.schedules.listOncalls({
      ...filters,
      ...window(args, 0),
      limit: args.limit ?? DEFAULT_LIMIT,
      offset,
    });
    const narrowed = [
      args.schedule_ids,
      args.user_ids,
      args.escalation_policy_ids,
      args.since,
      args.until,
      args.cursor,
    ].some((v) => v !== undefined);
    return {
      items: page.items,
      metadata: { ...(note && { note }), ...hintWhenEmpty(ctx, 'oncall', page.items, narrowed) },
      page: { offset, more: page.more, fingerprint: print, notice: page.notice },
    };
  },
});

export const scheduleReadTools = [getSchedules, listUsersOncall, getOncalls];
