/**
 * The alerts port on Pingera. Alerts are `/v1/alerts` (listed with `per_page`) and
 * `/v1/alerts/stats`; rules are `/v1/alerts/rules` (changed with PUT) and channels
 * `/v1/alerts/channels` — the seed wrote rules at `/v1/alerts` and read `/v1/alert-rules` and
 * `/v1/alert-channels`, which do not exist (reference/pingera-notes.md §1.5, §1.8). Rules and
 * channels come unpaginated, as one array, and are paged here.
 *
 * Vigil's rules do more than Pingera's: a rule on a heartbeat, an incident on a service, a
 * PagerDuty routing key, a status-page component, and the certificate_expiring / heartbeat_late /
 * heartbeat_down conditions are the embedded engine's; asked of Pingera they are NOT_SUPPORTED,
 * as is a `slack` channel (Pingera's channel types are email, webhook, statuspage, telegram).
 */
import {
  type Alert,
  type AlertChannel,
  type AlertChannelInput,
  type AlertCondition,
  type AlertRule,
  type AlertRuleInput,
  type AlertStatistics,
  type AlertsPort,
  type ChannelType,
  SEVERITIES,
  type Severity,
} from '../../core/alerts.js';
import type { Page } from '../../core/directory.js';
import { NotFoundError, NotSupportedError, ValidationError } from '../../core/errors.js';
import type { PingeraClient } from './client.js';
import { arr, bool, defined, isNotFound, iso, isoOr, num, obj, orNotFound, record, seg, str } from './raw.js';

/** Conditions only Vigil's engine evaluates. */
const VIGIL_ONLY_CONDITIONS: readonly AlertCondition[] = [
  'certificate_expiring',
  'heartbeat_late',
  'heartbeat_down',
];
/** Rule fields only Vigil's engine acts on. */
const VIGIL_ONLY_FIELDS = [
  'heartbeat_id',
  'service_id',
  'routing_key',
  'component_id',
  'component_status',
] as const;

export class PingeraAlerts implements AlertsPort {
  constructor(private readonly client: PingeraClient) {}

  /**
   * Pingera's own `status` filter. Vigil's `acknowledged` asks Pingera for `acknowledged` only,
   * so suppressed alerts (shown as acknowledged, see toAlert) are not among them.
   */
  async listAlerts(f: {
    status?: Alert['status'] | undefined;
    limit: number;
    offset: number;
  }): Promise<Page<Alert>> {
    const listed = await this.client.list(
      '/v1/alerts',
      'alerts',
      { status: f.status },
      'per_page',
      f.limit,
      f.offset,
    );
    return { items: listed.items.map(toAlert), more: listed.more };
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const raw = await this.client.find(`/v1/alerts/${seg(id)}`);
    return raw === undefined ? undefined : toAlert(raw);
  }

  async statistics(): Promise<AlertStatistics> {
    const r = obj(await this.client.get('/v1/alerts/stats')) ?? {};
    const breakdown = obj(r.severity_breakdown) ?? {};
    return {
      active_alerts: num(r.active_alerts) ?? 0,
      recent_alerts: num(r.recent_alerts) ?? 0,
      total_rules: num(r.total_rules) ?? 0,
      total_channels: num(r.total_channels) ?? 0,
      severity_breakdown: Object.fromEntries(SEVERITIES.map((s) => [s, num(breakdown[s]) ?? 0])) as Record<
        Severity,
        number
      >,
    };
  }

  async listRules(limit: number, offset: number): Promise<Page<AlertRule>> {
    return sliced(await this.client.get('/v1/alerts/rules'), 'rules', limit, offset, toRule);
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const raw = await this.client.find(`/v1/alerts/rules/${seg(id)}`);
    return raw === undefined ? undefined : toRule(raw);
  }

  async createRule(input: AlertRuleInput): Promise<AlertRule> {
    pingeraRule(input);
    if (!input.check_id) {
      throw new ValidationError('A Pingera alert rule watches a check: give alert_data.check_id.', {
        parameter: 'alert_data.check_id',
      });
    }
    const body = defined({
      name: input.name,
      check_id: input.check_id,
      condition: input.condition,
      // Vigil's condition_parameters (count, threshold, window_minutes) are sent as they are: the
      // spec gives Pingera's only as "parameters specific to the trigger condition".
      condition_parameters: input.condition_parameters,
      channel_ids: input.channel_ids ?? [],
      severity: input.severity,
      cooldown_period: input.cooldown_period,
      enabled: input.enabled,
      auto_resolve: input.auto_resolve,
    });
    return this.written(this.client.send('POST', '/v1/alerts/rules', body), body);
  }

  /**
   * PUT replaces a rule, so the rule is read and the change laid over it: fields not named keep
   * their values whether Pingera's PUT merges or replaces.
   */
  async updateRule(id: string, patch: Partial<AlertRuleInput>): Promise<AlertRule> {
    pingeraRule(patch);
    if (patch.check_id === null) {
      throw new ValidationError(
        'A Pingera alert rule always watches a check: alert_data.check_id cannot be null.',
        {
          parameter: 'alert_data.check_id',
        },
      );
    }
    const path = `/v1/alerts/rules/${seg(id)}`;
    const current = toRule(await orNotFound(this.client.get(path), 'alert rule', id, 'alert_id'));
    const body = defined({
      name: patch.name ?? current.name,
      check_id: patch.check_id ?? current.check_id ?? undefined,
      condition: patch.condition ?? current.condition,
      condition_parameters: patch.condition_parameters ?? current.condition_parameters,
      channel_ids: patch.channel_ids ?? current.channel_ids,
      severity: patch.severity ?? current.severity,
      cooldown_period: patch.cooldown_period ?? current.cooldown_period,
      enabled: patch.enabled ?? current.enabled,
      auto_resolve: patch.auto_resolve ?? current.auto_resolve,
    });
    return this.written(this.client.send('PUT', path, body), body, id);
  }

  /**
   * A rule written; its 404 (Pingera's answer for a rule, check or channel that is not there) says
   * which of them is missing.
   */
  private async written(
    request: Promise<unknown>,
    rule: { check_id?: string | undefined; channel_ids?: string[] | undefined },
    ruleId?: string,
  ): Promise<AlertRule> {
    try {
      return toRule(await request);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (ruleId && !(await this.client.find(`/v1/alerts/rules/${seg(ruleId)}`))) {
        throw new NotFoundError('alert rule', ruleId, 'alert_id');
      }
      if (rule.check_id && !(await this.client.find(`/v1/checks/${seg(rule.check_id)}`))) {
        throw new NotFoundError('check', rule.check_id, 'alert_data.check_id');
      }
      const known = new Set((await this.listChannels(1000, 0)).items.map((c) => c.id));
      const missing = (rule.channel_ids ?? []).filter((c) => !known.has(c));
      if (missing.length)
        throw new NotFoundError('alert channel', missing.join(', '), 'alert_data.channel_ids');
      throw err;
    }
  }

  async deleteRule(id: string): Promise<void> {
    const path = `/v1/alerts/rules/${seg(id)}`;
    await orNotFound(this.client.send('DELETE', path), 'alert rule', id, 'alert_id');
  }

  async listChannels(limit: number, offset: number): Promise<Page<AlertChannel>> {
    return sliced(await this.client.get('/v1/alerts/channels'), 'channels', limit, offset, toChannel);
  }

  async createChannel(input: AlertChannelInput): Promise<AlertChannel> {
    pingeraChannel(input.type);
    const body = defined({
      name: input.name,
      type: input.type,
      configuration: input.configuration,
      enabled: input.enabled,
    });
    return toChannel(await this.client.send('POST', '/v1/alerts/channels', body));
  }

  /** As for rules: the channel is read and the change laid over it before the PUT. */
  async updateChannel(id: string, patch: Partial<AlertChannelInput>): Promise<AlertChannel> {
    if (patch.type) pingeraChannel(patch.type);
    const path = `/v1/alerts/channels/${seg(id)}`;
    const current = toChannel(await orNotFound(this.client.get(path), 'alert channel', id, 'channel_id'));
    const body = {
      name: patch.name ?? current.name,
      type: patch.type ?? current.type,
      configuration: patch.configuration ?? current.configuration,
      enabled: patch.enabled ?? current.enabled,
    };
    return toChannel(
      await orNotFound(this.client.send('PUT', path, body), 'alert channel', id, 'channel_id'),
    );
  }

  async deleteChannel(id: string): Promise<void> {
    const path = `/v1/alerts/channels/${seg(id)}`;
    await orNotFound(this.client.send('DELETE', path), 'alert channel', id, 'channel_id');
  }
}

/** An unpaginated answer (a bare array, or the array under `key`) paged as Vigil pages. */
function sliced<T>(
  body: unknown,
  key: string,
  limit: number,
  offset: number,
  map: (v: unknown) => T,
): Page<T> {
  const rows: unknown[] = Array.isArray(body) ? body : arr(obj(body)?.[key]);
  return { items: rows.slice(offset, offset + limit).map(map), more: rows.length > offset + limit };
}

function pingeraRule(input: Partial<AlertRuleInput>): void {
  if (input.condition && VIGIL_ONLY_CONDITIONS.includes(input.condition)) {
    throw new NotSupportedError(
      `the ${input.condition} condition (Pingera's rules watch checks' runs)`,
      'pingera',
    );
  }
  for (const field of VIGIL_ONLY_FIELDS) {
    if (input[field] != null) {
      throw new NotSupportedError(`${field} on alert rules (that is Vigil's own alerting engine)`, 'pingera');
    }
  }
}

function pingeraChannel(type: ChannelType): void {
  if (type === 'slack') {
    throw new NotSupportedError(
      'slack channels (Pingera channels are email, webhook, statuspage and telegram)',
      'pingera',
    );
  }
}

const severityOf = (v: unknown): Severity =>
  (SEVERITIES as readonly string[]).includes(str(v) ?? '') ? (v as Severity) : 'high';

/**
 * An Alert. Statuses: Pingera's `firing`, `acknowledged` and `resolved` are Vigil's; `suppressed`
 * (notifications held back while the condition holds) is Vigil's `acknowledged` — active, and
 * notifying no one — and `alert_metadata.pingera_status` says it was suppressed. Alerts come from
 * checks only (no heartbeat, no incident, no PagerDuty event). A missing severity is Vigil's
 * default, high; a missing duration is counted from fired_at to resolved_at or now. Pingera's
 * check_name and acknowledgement are kept in alert_metadata.
 */
function toAlert(v: unknown): Alert {
  const r = record(v, 'an alert');
  const said = str(r.status);
  const status: Alert['status'] =
    said === 'resolved' ? 'resolved' : said === 'firing' ? 'firing' : 'acknowledged';
  const firedAt = isoOr(r.fired_at);
  const resolvedAt = iso(r.resolved_at);
  const end = resolvedAt ? Date.parse(resolvedAt) : Date.now();
  return {
    id: r.id,
    rule_id: str(r.rule_id) ?? '',
    rule_name: str(r.rule_name) ?? '',
    check_id: str(r.check_id) ?? null,
    heartbeat_id: null,
    status,
    is_active: bool(r.is_active) ?? status !== 'resolved',
    severity: severityOf(r.severity),
    description: str(r.description) ?? '',
    fired_at: firedAt,
    resolved_at: resolvedAt,
    duration: num(r.duration) ?? (firedAt ? Math.max(0, Math.round((end - Date.parse(firedAt)) / 1000)) : 0),
    notification_count: num(r.notification_count) ?? 0,
    last_notification_at: iso(r.last_notification_at),
    incident_id: null,
    alert_metadata: defined({
      ...obj(r.alert_metadata),
      check_name: str(r.check_name),
      acknowledged_at: iso(r.acknowledged_at) ?? undefined,
      acknowledged_by_id: str(r.acknowledged_by_id),
      ...(said === 'suppressed' && { pingera_status: 'suppressed' }),
    }),
    pagerduty: null,
  };
}

/**
 * An AlertRule. Pingera's conditions are a subset of Vigil's. Missing values are Pingera's
 * documented defaults: enabled and auto_resolve true, cooldown 300 s; a missing severity is
 * Vigil's default, high. The Vigil-only targets (heartbeat, service, routing key, component) are
 * null.
 */
function toRule(v: unknown): AlertRule {
  const r = record(v, 'an alert rule');
  const channels = arr(r.channels).flatMap((c) =>
    str(c.id) ? [{ id: str(c.id) as string, name: str(c.name) ?? '', type: str(c.type) ?? '' }] : [],
  );
  const ids = Array.isArray(r.channel_ids)
    ? r.channel_ids.filter((x): x is string => typeof x === 'string')
    : [];
  return {
    id: r.id,
    name: str(r.name) ?? '',
    check_id: str(r.check_id) ?? null,
    check_name: str(r.check_name) ?? null,
    heartbeat_id: null,
    condition: (str(r.condition) ?? 'check_failed') as AlertCondition,
    condition_parameters: obj(r.condition_parameters) ?? {},
    channel_ids: ids.length ? ids : channels.map((c) => c.id),
    channels,
    severity: severityOf(r.severity),
    cooldown_period: num(r.cooldown_period) ?? 300,
    enabled: bool(r.enabled) ?? true,
    auto_resolve: bool(r.auto_resolve) ?? true,
    service_id: null,
    routing_key: null,
    component_id: null,
    component_status: null,
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}

/**
 * An AlertChannel. Pingera's `statuspage` and `telegram` types are outside Vigil's and passed as
 * Pingera names them; `configuration` is passed as it is (its shape is per type and not in the
 * spec). A missing `enabled` is Pingera's default, true.
 */
function toChannel(v: unknown): AlertChannel {
  const r = record(v, 'an alert channel');
  return {
    id: r.id,
    name: str(r.name) ?? '',
    type: (str(r.type) ?? 'webhook') as ChannelType,
    configuration: obj(r.configuration) ?? {},
    enabled: bool(r.enabled) ?? true,
    last_used_at: iso(r.last_used_at),
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}
