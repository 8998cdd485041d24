/**
 * The fake PagerDuty API's directory, on-call and schedule endpoints, and the helpers the incident
 * endpoints (fake-pagerduty-incidents.ts) share, keyed by `METHOD template` as the spec spells the path. The
 * server (fake-pagerduty.ts) has already authenticated the request, answered contract violations in
 * query values and bodies with 400, and resolved the `From` user where the spec requires the header.
 *
 * Assumptions where PagerDuty's behaviour is not written down (the incident ones are in
 * fake-pagerduty-incidents.ts, the server's in fake-pagerduty.ts):
 * - Lists of users, teams, services, escalation policies and schedules are sorted by name.
 * - `limit` is 1..100 (400 otherwise) and `offset + limit` at most 10,000 (400 beyond, as PagerDuty
 *   refuses to page past 10,000 records).
 * - GET /oncalls: since and until default to now; on-calls starting more than 90 days from now are left
 *   out; start/end are the whole shift (not clipped to the window); sorted by escalation policy (in
 *   seed order), level, then start.
 * - GET /escalation_policies user_ids[]: a policy matches when the user is a direct target or a user of
 *   a targeted schedule.
 * - GET /schedules/{id} and /schedules/{id}/users: a missing `since` is two weeks before `until`, a
 *   missing `until` two weeks after `since`; with neither, rendered entries are empty and /users lists
 *   all the schedule's users. GET /schedules/{id}/overrides answers `{overrides}` without paging.
 * - Team members all have the role `responder`.
 * - DELETE of an override that has started truncates it to now (200), as the spec's 200 says; one
 *   that has ended is a 400.
 */
import {
  renderOncall,
  renderOverride,
  renderPolicy,
  renderSchedule,
  renderService,
  renderTeam,
  renderUser,
  type ScheduleWindow,
  scheduleUsers,
  userRef,
} from './fake-pagerduty-render.js';
import type { FakeAccount, IncidentState, SeedUser } from './fake-pagerduty-state.js';

type Json = Record<string, unknown>;

export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: number,
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (...errors: string[]) =>
  new FakeHttpError(400, 'Invalid Input Provided', 2001, errors);
export const notFound = () => new FakeHttpError(404, 'Not Found', 2100);

export interface RouteContext {
  account: FakeAccount;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The user the `From` header names, on operations whose spec requires it. */
  from: SeedUser | undefined;
  now: number;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: RouteContext) => Reply;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const includes = (q: URLSearchParams) => new Set(q.getAll('include[]'));
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

export function int(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`${name} must be an integer`);
  return Number(raw);
}

export function date(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw badRequest(`${name} is not a valid date`);
  return ms;
}

function matchesQuery(q: URLSearchParams, ...fields: (string | undefined)[]): boolean {
  const query = q.get('query')?.toLowerCase();
  return !query || fields.some((f) => f?.toLowerCase().includes(query));
}

function anyOf(wanted: string[], have: string[]): boolean {
  return wanted.length === 0 || wanted.some((w) => have.includes(w));
}

export function paginate<T>(
  q: URLSearchParams,
  key: string,
  items: T[],
  render: (item: T) => unknown,
): Reply {
  const limit = int(q, 'limit', 25);
  const offset = int(q, 'offset', 0);
  if (limit < 1 || limit > 100) throw badRequest('Limit must be between 1 and 100');
  if (offset < 0) throw badRequest('Offset must not be negative');
  if (offset + limit > 10_000)
    throw badRequest('Offset + limit exceeds the maximum permitted by the API (10000)');
  return ok({
    [key]: items.slice(offset, offset + limit).map(render),
    limit,
    offset,
    more: offset + limit < items.length,
    total: q.get('total') === 'true' ? items.length : null,
  });
}

function sortByName<T extends { name: string }>(q: URLSearchParams, items: T[]): T[] {
  const sorted = [...items].sort(byName);
  return q.get('sort_by') === 'name:desc' ? sorted.reverse() : sorted;
}

function found<T>(value: T | undefined): T {
  if (value === undefined) throw notFound();
  return value;
}

export function incidentOf(ctx: RouteContext): IncidentState {
  return found(ctx.account.incident(ctx.params.id ?? ''));
}

export function fromUser(ctx: RouteContext): SeedUser {
  if (!ctx.from) throw badRequest('A valid user email is required in the From header');
  return ctx.from;
}

function scheduleWindow(q: URLSearchParams): ScheduleWindow | undefined {
  let since = date(q, 'since');
  let until = date(q, 'until');
  if (since === undefined && until === undefined) return undefined;
  since ??= (until as number) - 14 * DAY;
  until ??= since + 14 * DAY;
  if (until < since) throw badRequest('until must not be before since');
  return { since, until, overflow: q.get('overflow') === 'true' };
}

// ── directory ─────────────────────────────────────────────────────────────────────────────────

const directory: Record<string, Handler> = {
  'GET /users/me': ({ account: a, query }) => {
    if (!a.me) {
      throw badRequest(
        "Because this request was made using an account-level access token, we were unable to determine the user's identity. Please use a user-level token.",
      );
    }
    return ok({ user: renderUser(a, found(a.users.get(a.me)), includes(query)) });
  },
  'GET /users': ({ account: a, query: q }) => {
    const teams = q.getAll('team_ids[]');
    const users = [...a.users.values()].filter(
      (u) => matchesQuery(q, u.name, u.email) && anyOf(teams, u.teams ?? []),
    );
    return paginate(q, 'users', users.sort(byName), (u) => renderUser(a, u, includes(q)));
  },
  'GET /users/{id}': ({ account: a, params, query }) =>
    ok({ user: renderUser(a, found(a.users.get(params.id ?? '')), includes(query)) }),
  'GET /teams': ({ account: a, query: q }) => {
    const teams = [...a.teams.values()].filter((t) => matchesQuery(q, t.name));
    return paginate(q, 'teams', teams.sort(byName), (t) => renderTeam(a, t));
  },
  'GET /teams/{id}': ({ account: a, params }) =>
    ok({ team: renderTeam(a, found(a.teams.get(params.id ?? ''))) }),
  'GET /teams/{id}/members': ({ account: a, params, query: q }) => {
    const team = found(a.teams.get(params.id ?? ''));
    const members = [...a.users.values()].filter((u) => u.teams?.includes(team.id)).sort(byName);
    const full = includes(q).has('users');
    return paginate(q, 'members', members, (u) => ({
      user: full ? renderUser(a, u) : userRef(a, u.id),
      role: 'responder',
    }));
  },
  'GET /services': ({ account: a, query: q }) => {
    const teams = q.getAll('team_ids[]');
    const name = q.get('name');
    const services = [...a.services.values()].filter(
      (s) => matchesQuery(q, s.name) && anyOf(teams, s.teams ?? []) && (name === null || s.name === name),
    );
    return paginate(q, 'services', sortByName(q, services), (s) => renderService(a, s, includes(q)));
  },
  'GET /services/{id}': ({ account: a, params, query }) =>
    ok({ service: renderService(a, found(a.services.get(params.id ?? '')), includes(query)) }),
  'GET /escalation_policies': ({ account: a, query: q }) => {
    const users = q.getAll('user_ids[]');
    const teams = q.getAll('team_ids[]');
    const targeted = (id: string) =>
      a.policies.get(id)?.rules.flatMap((r) =>
        r.targets.flatMap((t) => {
          const schedule = a.schedules.get(t.id);
          return t.type === 'user' ? [t.id] : schedule ? scheduleUsers(a, schedule) : [];
        }),
      ) ?? [];
    const policies = [...a.policies.values()].filter(
      (p) => matchesQuery(q, p.name) && anyOf(users, targeted(p.id)) && anyOf(teams, p.teams ?? []),
    );
    return paginate(q, 'escalation_policies', sortByName(q, policies), (p) =>
      renderPolicy(a, p, includes(q)),
    );
  },
  'GET /escalation_policies/{id}': ({ account: a, params, query }) => ({
    status: 200,
    body: { escalation_policy: renderPolicy(a, found(a.policies.get(params.id ?? '')), includes(query)) },
  }),
  'GET /abilities': ({ account: a }) => ok({ abilities: a.abilities }),
};

// ── on-call and schedules ─────────────────────────────────────────────────────────────────────

const oncall: Record<string, Handler> = {
  'GET /oncalls': ({ account: a, query: q, now }) => {
    const since = date(q, 'since') ?? now;
    const until = date(q, 'until') ?? now;
    if (until < since) throw badRequest('The until time cannot be before the since time');
    const users = q.getAll('user_ids[]');
    const policies = q.getAll('escalation_policy_ids[]');
    const schedules = q.getAll('schedule_ids[]');
    const overlaps = (start: number | null, end: number | null) =>
      start === null ||
      end === null ||
      (since === until ? start <= since && since < end : start < until && end > since);
    let rows = a
      .oncalls()
      .filter(
        (r) =>
          overlaps(r.start, r.end) &&
          (r.start === null || r.start <= now + 90 * DAY) &&
          anyOf(users, [r.user]) &&
          anyOf(policies, [r.policy]) &&
          anyOf(schedules, [r.schedule ?? 'null']),
      );
    if (q.get('earliest') === 'true') {
      const first = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const key = `${r.policy}|${r.level}|${r.user}`;
        const seen = first.get(key);
        if (!seen || (seen.start ?? -Infinity) > (r.start ?? -Infinity)) first.set(key, r);
      }
      rows = rows.filter((r) => first.get(`${r.policy}|${r.level}|${r.user}`) === r);
    }
    const order = [...a.policies.keys()];
    rows.sort(
      (x, y) =>
        order.indexOf(x.policy) - order.indexOf(y.policy) ||
        x.level - y.level ||
        (x.start ?? Number.NEGATIVE_INFINITY) - (y.start ?? Number.NEGATIVE_INFINITY),
    );
    return paginate(q, 'oncalls', rows, (r) => renderOncall(a, r, includes(q)));
  },
  'GET /schedules': ({ account: a, query: q }) => {
    const teams = q.getAll('team_ids[]');
    const schedules = [...a.schedules.values()].filter(
      (s) => matchesQuery(q, s.name) && anyOf(teams, s.teams ?? []),
    );
    const window = scheduleWindow(q);
    return paginate(q, 'schedules', schedules.sort(byName), (s) => renderSchedule(a, s, includes(q), window));
  },
  'GET /schedules/{id}': ({ account: a, params, query: q }) => {
    const parts = new Set(['schedule_layers', 'final_schedule', 'overrides_subschedule']);
    return ok({
      schedule: renderSchedule(a, found(a.schedules.get(params.id ?? '')), parts, scheduleWindow(q)),
    });
  },
  'GET /schedules/{id}/users': ({ account: a, params, query: q }) => {
    const schedule = found(a.schedules.get(params.id ?? ''));
    const window = scheduleWindow(q);
    const ids = window
      ? a
          .finalEntries(schedule.id)
          .flatMap((e) => (e.start < window.until && e.end > window.since ? [e.user] : []))
      : scheduleUsers(a, schedule);
    const users = [...new Set(ids)].flatMap((id) => {
      const u = a.users.get(id);
      return u ? [renderUser(a, u)] : [];
    });
    return ok({ users });
  },
  'GET /schedules/{id}/overrides': ({ account: a, params, query: q }) => {
    const schedule = found(a.schedules.get(params.id ?? ''));
    const window = scheduleWindow(q);
    const overrides = a.overrides.filter(
      (o) => o.schedule === schedule.id && (!window || (o.start < window.until && o.end > window.since)),
    );
    return ok({ overrides: overrides.map((o) => renderOverride(a, o)) });
  },
  'POST /schedules/{id}/overrides': ({ account: a, params, body }) => {
    const schedule = found(a.schedules.get(params.id ?? ''));
    const asked = ((body as { overrides?: Json[] }).overrides ?? []) as {
      start: string;
      end: string;
      user: { id: string };
    }[];
    if (asked.length === 0) throw badRequest('overrides must not be empty');
    const results = asked.map((o) => {
      const start = Date.parse(o.start);
      const end = Date.parse(o.end);
      const errors = [
        ...(a.users.has(o.user.id) ? [] : ['User not found']),
        ...(Number.isNaN(start) || Number.isNaN(end) || end <= start
          ? ['Override must end after it starts']
          : []),
      ];
      if (errors.length > 0) return { status: 400, errors, override: o };
      const state = { id: a.nextId(), schedule: schedule.id, user: o.user.id, start, end };
      a.overrides.push(state);
      return { status: 201, override: renderOverride(a, state) };
    });
    return ok(results, 201);
  },
  'DELETE /schedules/{id}/overrides/{override_id}': ({ account: a, params, now }) => {
    const index = a.overrides.findIndex((o) => o.schedule === params.id && o.id === params.override_id);
    const override = found(a.overrides[index]);
    if (override.end <= now) throw badRequest('Cannot delete an override that has already ended');
    if (override.start < now) {
      override.end = now;
      return { status: 200 };
    }
    a.overrides.splice(index, 1);
    return { status: 204 };
  },
};

/** Directory, on-call and schedule endpoints; the incident ones are in fake-pagerduty-incidents.ts. */
export const DIRECTORY_ROUTES: Record<string, Handler> = { ...directory, ...oncall };
