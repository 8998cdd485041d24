/**
 * The fake Pingera API's heartbeats and their pings. See fake-pingera-pages.ts for what the server has
 * done before a handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down:
 * - A heartbeat is `paused` when inactive; else, from its last ping (or its creation), `up` until
 *   period_seconds have passed, `grace` for grace_seconds more, then `down`. `next_expected_ping` is
 *   the last ping (or creation) plus the period. `ping_url` is the fake's own ping URL, so a test can
 *   ping it. Heartbeats list 50 a page (`per_page`, as the spec's descriptions say), oldest first;
 *   GET of one adds its ten most recent pings.
 * - GET|POST …/ping needs no credential and answers for a heartbeat of any account `{check_id,
 *   status, message, next_expected_ping}`; a POST's JSON object is kept as `ping_data`, the caller's
 *   `User-Agent` and address (`X-Forwarded-For`, else 127.0.0.1) too. A paused heartbeat records the
 *   ping and stays paused. Pings list newest first, 50 a page.
 */
import {
  bodyOf,
  created,
  date,
  found,
  type Handler,
  iso,
  NO_CONTENT,
  newestFirst,
  notFound,
  ok,
  paginate,
  type RouteContext,
} from './fake-pingera-kit.js';
import type { HeartbeatState, PingState } from './fake-pingera-model.js';
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

function lastPing(a: PingeraAccount, id: string): PingState | undefined {
  let last: PingState | undefined;
  for (const p of a.pings) if (p.checkId === id && (!last || p.receivedAt > last.receivedAt)) last = p;
  return last;
}

function heartbeatTimes(a: PingeraAccount, h: HeartbeatState, now: number) {
  const last = lastPing(a, h.id);
  const due = (last?.receivedAt ?? h.createdAt) + h.periodSeconds * 1000;
  let status = 'up';
  if (!h.active) status = 'paused';
  else if (now > due + h.graceSeconds * 1000) status = 'down';
  else if (now > due) status = 'grace';
  return { last, due, status };
}

function renderPing(p: PingState): Json {
  return {
    id: p.id,
    check_id: p.checkId,
    received_at: iso(p.receivedAt),
    source_ip: p.sourceIp,
    user_agent: p.userAgent,
    ping_data: p.pingData,
  };
}

function renderHeartbeat(ctx: RouteContext, h: HeartbeatState, detail = false): Json {
  const a = ctx.account;
  const { last, due, status } = heartbeatTimes(a, h, ctx.now);
  const out: Json = {
    id: h.id,
    name: h.name,
    period_seconds: h.periodSeconds,
    grace_seconds: h.graceSeconds,
    active: h.active,
    status,
    ping_url: `${ctx.baseUrl}/heartbeats/${h.id}/ping`,
    last_ping_at: iso(last?.receivedAt),
    next_expected_ping: iso(due),
    created_at: iso(h.createdAt),
    updated_at: iso(h.updatedAt),
  };
  if (detail) {
    const recent = newestFirst(
      a.pings.filter((p) => p.checkId === h.id),
      (p) => p.receivedAt,
    );
    out.recent_pings = recent.slice(0, 10).map(renderPing);
  }
  return out;
}

function heartbeatOf(ctx: RouteContext): HeartbeatState {
  return found(ctx.account.heartbeats.get(ctx.params.check_id ?? ''), 'Heartbeat check');
}

function editHeartbeat(ctx: RouteContext) {
  const h = heartbeatOf(ctx);
  const b = bodyOf(ctx);
  if (typeof b.name === 'string') h.name = b.name;
  if (typeof b.period_seconds === 'number') h.periodSeconds = b.period_seconds;
  if (typeof b.grace_seconds === 'number') h.graceSeconds = b.grace_seconds;
  if (typeof b.active === 'boolean') h.active = b.active;
  h.updatedAt = ctx.now;
  return ok(renderHeartbeat(ctx, h));
}

function ping(ctx: RouteContext) {
  const id = ctx.params.check_id ?? '';
  const owner = ctx.accounts.find((a) => a.heartbeats.has(id));
  const h = owner?.heartbeats.get(id);
  if (!owner || !h) throw notFound('Heartbeat check');
  const header = (name: string) => {
    const v = ctx.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const b = ctx.body;
  owner.pings.push({
    id: owner.ids.next('pi'),
    checkId: id,
    receivedAt: ctx.now,
    sourceIp: header('x-forwarded-for')?.split(',')[0]?.trim() ?? '127.0.0.1',
    userAgent: header('user-agent') ?? null,
    pingData: typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Json) : null,
  });
  const { due, status } = heartbeatTimes(owner, h, ctx.now);
  const message = h.active ? 'Ping received successfully' : 'Ping received; the heartbeat check is paused';
  return ok({ check_id: id, status, message, next_expected_ping: iso(due) });
}

const heartbeats: Record<string, Handler> = {
  'GET /v1/heartbeats': (ctx) => {
    const list = [...ctx.account.heartbeats.values()].sort((x, y) => x.createdAt - y.createdAt);
    return paginate(ctx.query, 'checks', list, (h) => renderHeartbeat(ctx, h), 'per_page', 50);
  },
  'POST /v1/heartbeats': (ctx) => {
    const b = bodyOf(ctx);
    const h: HeartbeatState = {
      id: ctx.account.ids.next('hb'),
      name: String(b.name),
      periodSeconds: Number(b.period_seconds),
      graceSeconds: typeof b.grace_seconds === 'number' ? b.grace_seconds : 3600,
      active: b.active !== false,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.account.heartbeats.set(h.id, h);
    return created(renderHeartbeat(ctx, h));
  },
  'GET /v1/heartbeats/{check_id}': (ctx) => ok(renderHeartbeat(ctx, heartbeatOf(ctx), true)),
  'PUT /v1/heartbeats/{check_id}': editHeartbeat,
  'PATCH /v1/heartbeats/{check_id}': editHeartbeat,
  'DELETE /v1/heartbeats/{check_id}': (ctx) => {
    const h = heartbeatOf(ctx);
    const a = ctx.account;
    a.heartbeats.delete(h.id);
    for (let i = a.pings.length - 1; i >= 0; i--) if (a.pings[i]?.checkId === h.id) a.pings.splice(i, 1);
    return NO_CONTENT;
  },
  'GET /v1/heartbeats/{check_id}/ping': ping,
  'POST /v1/heartbeats/{check_id}/ping': ping,
  'GET /v1/heartbeats/{check_id}/pings': (ctx) => {
    const h = heartbeatOf(ctx);
    const from = date(ctx.query, 'start_date') ?? Number.NEGATIVE_INFINITY;
    const to = date(ctx.query, 'end_date') ?? Number.POSITIVE_INFINITY;
    const list = newestFirst(
      ctx.account.pings.filter((p) => p.checkId === h.id && p.receivedAt >= from && p.receivedAt <= to),
      (p) => p.receivedAt,
    );
    return paginate(ctx.query, 'pings', list, renderPing, 'per_page', 50);
  },
};

/** Heartbeats and their pings. */
export const HEARTBEAT_ROUTES: Record<string, Handler> = heartbeats;
