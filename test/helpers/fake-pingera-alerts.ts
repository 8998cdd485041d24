/**
 * The fake Pingera API's alerts, alert rules and alert channels. See fake-pingera-pages.ts for what the
 * server has done before a handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down:
 * - GET /v1/alerts: `status=active` means firing or acknowledged (the parameter's description lists
 *   it); alerts are listed newest first, 20 a page (`per_page`). Stats: `active_alerts` firing or
 *   acknowledged, `recent_alerts` fired in the last 24 hours, `severity_breakdown` of the active ones.
 *   Acknowledging or resolving a resolved alert is a 400. Alerts are seeded; the fake raises none.
 * - Alert rules need an existing check (404, as the spec's POST declares) and existing channels (404);
 *   severity defaults to `medium`. A rule renders its channels in full and its check's name. Rules and
 *   channels are listed oldest first, unpaginated. Deleting a channel takes it out of the rules.
 */
import {
  badRequest,
  bodyOf,
  created,
  DAY,
  found,
  type Handler,
  iso,
  NO_CONTENT,
  newestFirst,
  notFound,
  ok,
  paginate,
  pick,
  type RouteContext,
} from './fake-pingera-kit.js';
import type { AlertState, ChannelState, RuleState, Severity } from './fake-pingera-model.js';
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

const ACTIVE = new Set(['firing', 'acknowledged']);

function renderChannel(c: ChannelState): Json {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    configuration: c.configuration,
    enabled: c.enabled,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    last_used_at: iso(c.lastUsedAt),
  };
}

function renderRule(a: PingeraAccount, r: RuleState): Json {
  return {
    id: r.id,
    name: r.name,
    check_id: r.checkId,
    check_name: a.checks.get(r.checkId)?.name ?? null,
    condition: r.condition,
    condition_parameters: r.conditionParameters,
    channel_ids: r.channelIds,
    channels: r.channelIds.flatMap((id) => {
      const c = a.channels.get(id);
      return c ? [renderChannel(c)] : [];
    }),
    severity: r.severity,
    cooldown_period: r.cooldownPeriod,
    enabled: r.enabled,
    auto_resolve: r.autoResolve,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

function renderAlert(a: PingeraAccount, al: AlertState, now: number): Json {
  const rule = al.ruleId ? a.rules.get(al.ruleId) : undefined;
  return {
    id: al.id,
    rule_id: al.ruleId,
    rule_name: rule?.name ?? null,
    check_id: al.checkId,
    check_name: a.checks.get(al.checkId)?.name ?? null,
    status: al.status,
    severity: al.severity,
    description: al.description,
    fired_at: iso(al.firedAt),
    resolved_at: iso(al.resolvedAt),
    acknowledged_at: iso(al.acknowledgedAt),
    acknowledged_by_id: al.acknowledgedById,
    last_notification_at: iso(al.firedAt),
    notification_count: al.notificationCount,
    is_active: ACTIVE.has(al.status),
    duration: Math.round(((al.resolvedAt ?? now) - al.firedAt) / 1000),
    alert_metadata: al.metadata,
  };
}

function alertOf(ctx: RouteContext): AlertState {
  return found(ctx.account.alerts.get(ctx.params.alert_id ?? ''), 'Alert');
}

function ruleOf(ctx: RouteContext): RuleState {
  return found(ctx.account.rules.get(ctx.params.rule_id ?? ''), 'Alert rule');
}

function channelOf(ctx: RouteContext): ChannelState {
  return found(ctx.account.channels.get(ctx.params.channel_id ?? ''), 'Alert channel');
}

/** Applies an AlertRule(1) body, checking the check and channels it names exist. */
function applyRule(a: PingeraAccount, r: RuleState, b: Json, now: number): void {
  if (typeof b.check_id === 'string') {
    if (!a.checks.has(b.check_id)) throw notFound('Check');
    r.checkId = b.check_id;
  }
  if (Array.isArray(b.channel_ids)) {
    for (const id of b.channel_ids)
      if (!a.channels.has(String(id))) throw notFound(`Alert channel ${String(id)}`);
    r.channelIds = b.channel_ids.map(String);
  }
  if (typeof b.name === 'string') r.name = b.name;
  if (typeof b.condition === 'string') r.condition = b.condition;
  if (typeof b.condition_parameters === 'object' && b.condition_parameters !== null) {
    r.conditionParameters = b.condition_parameters as Json;
  }
  if (typeof b.severity === 'string') r.severity = b.severity as Severity;
  if (typeof b.cooldown_period === 'number') r.cooldownPeriod = b.cooldown_period;
  if (typeof b.enabled === 'boolean') r.enabled = b.enabled;
  if (typeof b.auto_resolve === 'boolean') r.autoResolve = b.auto_resolve;
  r.updatedAt = now;
}

function applyChannel(c: ChannelState, b: Json, now: number): void {
  Object.assign(c, pick(b, ['name', 'type', 'configuration', 'enabled']), { updatedAt: now });
}

function transition(ctx: RouteContext, to: 'acknowledged' | 'resolved') {
  const al = alertOf(ctx);
  if (al.status === 'resolved') throw badRequest('Alert is already resolved');
  if (to === 'acknowledged' && al.status === 'acknowledged')
    throw badRequest('Alert is already acknowledged');
  al.status = to;
  if (to === 'acknowledged') {
    al.acknowledgedAt = ctx.now;
    al.acknowledgedById = ctx.account.userId;
  } else al.resolvedAt = ctx.now;
  return ok(renderAlert(ctx.account, al, ctx.now));
}

const alerts: Record<string, Handler> = {
  'GET /v1/alerts': (ctx) => {
    const a = ctx.account;
    const q = ctx.query;
    const status = q.get('status');
    const list = [...a.alerts.values()].filter(
      (al) =>
        (!status || (status === 'active' ? ACTIVE.has(al.status) : al.status === status)) &&
        (!q.get('check_id') || al.checkId === q.get('check_id')) &&
        (!q.get('severity') || al.severity === q.get('severity')),
    );
    const newest = newestFirst(list, (al) => al.firedAt);
    return paginate(q, 'alerts', newest, (al) => renderAlert(a, al, ctx.now), 'per_page');
  },
  'GET /v1/alerts/stats': (ctx) => {
    const all = [...ctx.account.alerts.values()];
    const active = all.filter((al) => ACTIVE.has(al.status));
    const breakdown: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const al of active) breakdown[al.severity] = (breakdown[al.severity] ?? 0) + 1;
    return ok({
      total_rules: ctx.account.rules.size,
      total_channels: ctx.account.channels.size,
      active_alerts: active.length,
      recent_alerts: all.filter((al) => al.firedAt >= ctx.now - DAY).length,
      severity_breakdown: breakdown,
    });
  },
  'GET /v1/alerts/{alert_id}': (ctx) => ok(renderAlert(ctx.account, alertOf(ctx), ctx.now)),
  'POST /v1/alerts/{alert_id}/acknowledge': (ctx) => transition(ctx, 'acknowledged'),
  'POST /v1/alerts/{alert_id}/resolve': (ctx) => transition(ctx, 'resolved'),
  'GET /v1/alerts/{alert_id}/notifications': (ctx) => {
    alertOf(ctx);
    return ok([]);
  },
  'GET /v1/alerts/rules': (ctx) => ok([...ctx.account.rules.values()].map((r) => renderRule(ctx.account, r))),
  'POST /v1/alerts/rules': (ctx) => {
    const a = ctx.account;
    const r: RuleState = {
      id: a.ids.next('ar'),
      name: '',
      checkId: '',
      condition: '',
      conditionParameters: {},
      channelIds: [],
      severity: 'medium',
      cooldownPeriod: 300,
      enabled: true,
      autoResolve: true,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    applyRule(a, r, bodyOf(ctx), ctx.now);
    a.rules.set(r.id, r);
    return created(renderRule(a, r));
  },
  'GET /v1/alerts/rules/{rule_id}': (ctx) => ok(renderRule(ctx.account, ruleOf(ctx))),
  'PUT /v1/alerts/rules/{rule_id}': (ctx) => {
    const r = ruleOf(ctx);
    applyRule(ctx.account, r, bodyOf(ctx), ctx.now);
    return ok(renderRule(ctx.account, r));
  },
  'DELETE /v1/alerts/rules/{rule_id}': (ctx) => {
    ctx.account.rules.delete(ruleOf(ctx).id);
    return NO_CONTENT;
  },
  'GET /v1/alerts/channels': (ctx) => ok([...ctx.account.channels.values()].map(renderChannel)),
  'POST /v1/alerts/channels': (ctx) => {
    const c: ChannelState = {
      id: ctx.account.ids.next('ch'),
      name: '',
      type: 'email',
      configuration: {},
      enabled: true,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      lastUsedAt: null,
    };
    applyChannel(c, bodyOf(ctx), ctx.now);
    ctx.account.channels.set(c.id, c);
    return created(renderChannel(c));
  },
  'GET /v1/alerts/channels/{channel_id}': (ctx) => ok(renderChannel(channelOf(ctx))),
  'PUT /v1/alerts/channels/{channel_id}': (ctx) => {
    const c = channelOf(ctx);
    applyChannel(c, bodyOf(ctx), ctx.now);
    return ok(renderChannel(c));
  },
  'DELETE /v1/alerts/channels/{channel_id}': (ctx) => {
    const c = channelOf(ctx);
    ctx.account.channels.delete(c.id);
    for (const r of ctx.account.rules.values()) r.channelIds = r.channelIds.filter((id) => id !== c.id);
    return NO_CONTENT;
  },
};

/** Alerts, alert rules and alert channels. */
export const ALERT_ROUTES: Record<string, Handler> = alerts;
