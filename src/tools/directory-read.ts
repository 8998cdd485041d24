/**
 * The directory toolset's read tools, with the PagerDuty seed's names, parameters and
 * validation messages (reference/pagerduty-notes.md §1.4–1.7), its bugs fixed: a user with no
 * teams gets an empty answer that says why, never the whole account. With no current user at all,
 * reads cover the whole account and say so (current-user.ts).
 */
import { z } from 'zod';
import type { Page } from '../core/directory.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { DEFAULT_LIMIT, decodeCursor, fingerprint } from '../core/pagination.js';
import { readScope, rejectContextFilters } from './current-user.js';
import { defineTool, READ, type ToolContext, type ToolResult } from './define-tool.js';
import { hintWhenEmpty, writesNeed } from './hints.js';
import { serviceItem, teamItem, userContextItem, userItem } from './output.js';
import * as p from './params.js';

const conflict = (idName: string, filters: string) =>
  new ValidationError(
    `When \`${idName}\` is provided, other filters (like ${filters}) cannot be used. ${p.SEE_DOCS}`,
    { parameter: idName },
  );

/** Runs a paged list query and returns it as a tool result. */
async function listPage<T extends object>(
  args: { cursor?: string | undefined; limit?: number | undefined },
  filters: Record<string, unknown>,
  fetch: (limit: number, offset: number) => Promise<Page<T>>,
): Promise<ToolResult> {
  const print = fingerprint(filters);
  const offset = decodeCursor(args.cursor, print);
  const page = await fetch(args.limit ?? DEFAULT_LIMIT, offset);
  return { items: page.items, page: { offset, more: page.more, fingerprint: print, notice: page.notice } };
}

const noTeams = (ctx: ToolContext, resource: string): ToolResult => ({
  items: [],
  metadata: {
    note: `The current user belongs to no team, so no ${resource} match their context. Add them to a team (create_team, update_team${writesNeed(ctx, true)}), or pass current_user_context=false with team_ids to look elsewhere.`,
  },
});

/** The parameters of a list scoped by teams, as get_users and get_services take them. */
interface TeamScopedArgs {
  current_user_context: boolean;
  team_ids?: string[] | undefined;
  query?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * One answer of a "get one by id, or list by teams" tool with the seed's rules: an id excludes
 * the filters; current_user_context=true takes the teams of the current user (and excludes
 * team_ids); false requires team_ids. A user with no team gets an empty answer saying why.
 */
async function teamScopedAnswer<T extends object>(
  args: TeamScopedArgs,
  ctx: ToolContext,
  spec: {
    idName: string;
    id: string | undefined;
    what: string;
    resource: 'users' | 'services';
    get: (id: string) => Promise<T | undefined>;
    list: (q: {
      teamIds?: string[] | undefined;
      query?: string | undefined;
      limit: number;
      offset: number;
    }) => Promise<Page<T>>;
  },
): Promise<ToolResult> {
  if (spec.id !== undefined) {
    if ([args.team_ids, args.query, args.limit, args.cursor].some((v) => v !== undefined)) {
      throw conflict(spec.idName, 'team_ids, query, limit');
    }
    const item = await spec.get(spec.id);
    if (!item) throw new NotFoundError(spec.what, spec.id, spec.idName);
    return { items: [item] };
  }
  let teamIds = args.team_ids;
  let note: string | undefined;
  if (args.current_user_context) {
    rejectContextFilters({ team_ids: teamIds });
    const scope = await readScope(ctx);
    if (scope.context?.team_ids.length === 0) return noTeams(ctx, spec.resource);
    teamIds = scope.context?.team_ids;
    note = scope.note;
  } else if (!teamIds?.length) {
    throw new ValidationError(
      `Must specify at least team_ids when current_user_context is False. ${p.SEE_DOCS}`,
      {
        parameter: 'team_ids',
      },
    );
  }
  const filters = { teamIds, query: args.query };
  const answer = await listPage(args, filters, (limit, offset) => spec.list({ ...filters, limit, offset }));
  const narrowed = !args.current_user_context || args.query !== undefined || args.cursor !== undefined;
  return {
    ...answer,
    metadata: { ...(note && { note }), ...hintWhenEmpty(ctx, spec.resource, answer.items, narrowed) },
  };
}

export const getUsers = defineTool({
  name: 'get_users',
  toolset: 'directory',
  port: 'directory',
  resource: 'users',
  output: userItem,
  annotations: READ,
  description:
    "List users or get one by `user_id`. By default lists the members of the current user's teams; pass current_user_context=false with team_ids to list other teams.",
  narrowHint: 'Narrow with `query` or `team_ids`.',
  input: z.strictObject({
    user_id: p.id('user_id').optional(),
    current_user_context: p.currentUserContext,
    team_ids: p.ids('team_id').optional(),
    query: p.query.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  handler: (args, ctx) =>
    teamScopedAnswer(args, ctx, {
      idName: 'user_id',
      id: args.user_id,
      what: 'user',
      resource: 'users',
      get: (id) => ctx.ports.directory.getUser(id),
      list: (q) => ctx.ports.directory.listUsers(q),
    }),
});

export const getTeams = defineTool({
  name: 'get_teams',
  toolset: 'directory',
  port: 'directory',
  resource: 'teams',
  output: teamItem,
  annotations: READ,
  description: 'List teams (optionally matching `query`) or get one by `team_id`, with its members.',
  narrowHint: 'Narrow with `query`.',
  input: z.strictObject({
    team_id: p.id('team_id').optional(),
    query: p.query.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const { directory } = ctx.ports;
    if (args.team_id !== undefined) {
      if (args.query !== undefined || args.limit !== undefined || args.cursor !== undefined) {
        throw conflict('team_id', 'query, limit');
      }
      const team = await directory.getTeam(args.team_id);
      if (!team) throw new NotFoundError('team', args.team_id, 'team_id');
      return { items: [team] };
    }
    const filters = { query: args.query };
    return listPage(args, filters, (limit, offset) => directory.listTeams({ ...filters, limit, offset }));
  },
});

export const getServices = defineTool({
  name: 'get_services',
  toolset: 'directory',
  port: 'directory',
  resource: 'services',
  output: serviceItem,
  annotations: READ,
  description:
    "List services or get one by `service_id`. By default lists the services of the current user's teams; pass current_user_context=false with team_ids for others.",
  narrowHint: 'Narrow with `query` or `team_ids`.',
  input: z.strictObject({
    service_id: p.id('service_id').optional(),
    current_user_context: p.currentUserContext,
    team_ids: p.ids('team_id').optional(),
    query: p.query.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  handler: (args, ctx) =>
    teamScopedAnswer(args, ctx, {
      idName: 'service_id',
      id: args.service_id,
      what: 'service',
      resource: 'services',
      get: (id) => ctx.ports.directory.getService(id),
      list: (q) => ctx.ports.directory.listServices(q),
    }),
});

export const buildUserContext = defineTool({
  name: 'build_user_context',
  toolset: 'directory',
  port: 'directory',
  resource: 'user_contexts',
  output: userContextItem,
  annotations: READ,
  description:
    "The current user's context: their id, name, email, team_ids, the service_ids of those teams, and the escalation_policy_ids that target them.",
  input: z.strictObject({}),
  async handler(_args, ctx) {
    const scope = await readScope(ctx);
    if (scope.context) return { items: [scope.context] };
    return {
      items: [],
      description: 'No current user',
      metadata: {
        note: `${scope.missing}. Set VIGIL_USER_EMAIL to the email of a user in the directory (create_user${writesNeed(ctx, true)}) for answers about your own teams, services and escalation policies.`,
      },
    };
  },
});

export const directoryReadTools = [getUsers, getTeams, getServices, buildUserContext];
