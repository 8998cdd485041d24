/**
 * The fake PagerDuty API's maintenance windows (`/maintenance_windows`), keyed by `METHOD template`
 * as fake-pagerduty-routes.ts keys its routes. Windows are kept per account here, beside the
 * account's own state.
 *
 * Assumptions where PagerDuty's behaviour is not written down:
 * - A window's `summary` is its description (empty without one); `teams` are its services' teams.
 * - Lists are sorted by start time, newest first; without `filter` every window is listed. `query`
 *   matches the description.
 * - POST and PUT answer 400 when `end_time` is not after `start_time` or not in the future, or a
 *   service is unknown; a new `start_time` in the past becomes now (the spec says so), an ongoing
 *   window's own start is kept. PUT of a window that has ended is a 400.
 * - DELETE of a future window removes it, of an ongoing one ends it now (both 204); one that has
 *   ended is the spec's 405.
 */
import { serviceRef, teamRef, userRef } from './fake-pagerduty-render.js';
import {
  badRequest,
  FakeHttpError,
  fromUser,
  type Handler,
  notFound,
  ok,
  paginate,
} from './fake-pagerduty-routes.js';
import { API_BASE, type FakeAccount, iso, WEB_BASE } from './fake-pagerduty-state.js';

type Json = Record<string, unknown>;

interface WindowState {
  id: string;
  sequence: number;
  start: number;
  end: number;
  description: string | undefined;
  services: string[];
  createdBy: string | undefined;
}

const windows = new WeakMap<FakeAccount, WindowState[]>();
const windowsOf = (a: FakeAccount): WindowState[] => {
  const list = windows.get(a) ?? [];
  windows.set(a, list);
  return list;
};

function render(a: FakeAccount, w: WindowState): Json {
  const teams = [...new Set(w.services.flatMap((s) => a.services.get(s)?.teams ?? []))];
  return {
    id: w.id,
    type: 'maintenance_window',
    summary: w.description ?? '',
    self: `${API_BASE}/maintenance_windows/${w.id}`,
    html_url: `${WEB_BASE}/maintenance_windows#/show/${w.id}`,
    sequence_number: w.sequence,
    start_time: iso(w.start),
    end_time: iso(w.end),
    ...(w.description !== undefined && { description: w.description }),
    ...(w.createdBy && { created_by: userRef(a, w.createdBy) }),
    services: w.services.map((s) => serviceRef(a, s)),
    teams: teams.map((t) => teamRef(a, t)),
  };
}

function windowOf(a: FakeAccount, id: string | undefined): WindowState {
  const w = windowsOf(a).find((x) => x.id === id);
  if (!w) throw notFound();
  return w;
}

const stateAt = (w: WindowState, now: number) =>
  w.end <= now ? 'past' : w.start <= now ? 'ongoing' : 'future';

/** The body's window, checked as PagerDuty checks it; `current` fills what an update leaves out. */
function fields(a: FakeAccount, body: unknown, now: number, current?: WindowState) {
  const mw = (body as { maintenance_window?: Json } | undefined)?.maintenance_window ?? {};
  const start = mw.start_time === undefined ? current?.start : Date.parse(String(mw.start_time));
  const end = mw.end_time === undefined ? current?.end : Date.parse(String(mw.end_time));
  if (start === undefined || Number.isNaN(start)) throw badRequest('Start time is invalid');
  if (end === undefined || Number.isNaN(end)) throw badRequest('End time is invalid');
  if (end <= start) throw badRequest('End time must be after start time');
  if (end <= now) throw badRequest('End time must be in the future');
  const services = Array.isArray(mw.services)
    ? (mw.services as Json[]).map((s) => String(s.id))
    : (current?.services ?? []);
  if (services.length === 0) throw badRequest('Services must not be empty');
  const unknown = services.find((s) => !a.services.has(s));
  if (unknown) throw badRequest(`Service ${unknown} not found`);
  return {
    start: start === current?.start ? start : Math.max(start, now),
    end,
    services,
    description: mw.description === undefined ? current?.description : String(mw.description),
  };
}

export const MAINTENANCE_ROUTES: Record<string, Handler> = {
  'GET /maintenance_windows': ({ account: a, query: q, now }) => {
    const filter = q.get('filter') ?? 'all';
    const serviceIds = q.getAll('service_ids[]');
    const teamIds = q.getAll('team_ids[]');
    const text = q.get('query')?.toLowerCase();
    const items = windowsOf(a)
      .filter((w) => {
        const state = stateAt(w, now);
        if (filter === 'open' ? state === 'past' : filter !== 'all' && state !== filter) return false;
        if (serviceIds.length && !w.services.some((s) => serviceIds.includes(s))) return false;
        const teams = w.services.flatMap((s) => a.services.get(s)?.teams ?? []);
        if (teamIds.length && !teams.some((t) => teamIds.includes(t))) return false;
        return !text || (w.description ?? '').toLowerCase().includes(text);
      })
      .sort((x, y) => y.start - x.start || x.id.localeCompare(y.id));
    return paginate(q, 'maintenance_windows', items, (w) => render(a, w));
  },
  'POST /maintenance_windows': (ctx) => {
    const user = fromUser(ctx);
    const f = fields(ctx.account, ctx.body, ctx.now);
    const list = windowsOf(ctx.account);
    const w: WindowState = { id: ctx.account.nextId(), sequence: list.length + 1, ...f, createdBy: user.id };
    list.push(w);
    return ok({ maintenance_window: render(ctx.account, w) }, 201);
  },
  'GET /maintenance_windows/{id}': ({ account: a, params }) =>
    ok({ maintenance_window: render(a, windowOf(a, params.id)) }),
  'PUT /maintenance_windows/{id}': ({ account: a, params, body, now }) => {
    const w = windowOf(a, params.id);
    if (stateAt(w, now) === 'past') throw badRequest('Cannot update a maintenance window that has ended');
    Object.assign(w, fields(a, body, now, w));
    return ok({ maintenance_window: render(a, w) });
  },
  'DELETE /maintenance_windows/{id}': ({ account: a, params, now }) => {
    const w = windowOf(a, params.id);
    const state = stateAt(w, now);
    if (state === 'past')
      throw new FakeHttpError(405, 'The maintenance window has already ended and cannot be deleted', 2001);
    if (state === 'future') windowsOf(a).splice(windowsOf(a).indexOf(w), 1);
    else w.end = now;
    return { status: 204 };
  },
};
