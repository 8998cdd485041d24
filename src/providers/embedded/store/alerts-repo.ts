/**
 * Alert rules, channels and alerts on the embedded store. A rule watches one check or one
 * heartbeat; its condition must suit that source.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  type Alert,
  type AlertChannel,
  type AlertChannelInput,
  type AlertRule,
  type AlertRuleInput,
  type AlertStatistics,
  type AlertsPort,
  type ChannelType,
  HEARTBEAT_CONDITIONS,
  maskRoutingKey,
  type PagerDutyEventDelivery,
  ROUTING_KEY_PATTERN,
  ROUTING_KEY_RULE,
  type Severity,
} from '../../../core/alerts.js';
import { CHANNEL_KINDS, channelAddresses, checkChannelConfiguration } from '../../../core/channels.js';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import { checkChannelTarget } from './channel-targets.js';
import { recordEvents } from './engine-events.js';
import { newId, newSigningSecret } from './ids.js';
import { groupBy, page } from './repo-helpers.js';
import {
  type AlertChannelsTable,
  type AlertRulesTable,
  type AlertsTable,
  type Database,
  EVENTS_API_KIND,
} from './schema.js';

const DAY = 86_400_000;

export class AlertRepository implements AlertsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async listAlerts(f: {
    status?: Alert['status'] | undefined;
    limit: number;
    offset: number;
  }): Promise<Page<Alert>> {
    let q = this.db.selectFrom('alerts').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    const rows = await q
      .orderBy('fired_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await this.hydrateAlerts(p.items), more: p.more };
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateAlerts([row]))[0] : undefined;
  }

  async statistics(): Promise<AlertStatistics> {
    const since = this.clock.now() - 30 * DAY;
    const [active, recent, rules, channels] = await Promise.all([
      this.db
        .selectFrom('alerts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '<>', 'resolved')
        .executeTakeFirst(),
      this.db
        .selectFrom('alerts')
        .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('fired_at', '>=', since)
        .groupBy('severity')
        .execute(),
      this.db
        .selectFrom('alert_rules')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('enabled', '=', 1)
        .executeTakeFirst(),
      this.db
        .selectFrom('alert_channels')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('enabled', '=', 1)
        .executeTakeFirst(),
    ]);
    const breakdown: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const r of recent) breakdown[r.severity] = Number(r.n);
    return {
      active_alerts: Number(active?.n ?? 0),
      recent_alerts: recent.reduce((s, r) => s + Number(r.n), 0),
      total_rules: Number(rules?.n ?? 0),
      total_channels: Number(channels?.n ?? 0),
      severity_breakdown: breakdown,
    };
  }

  async listRules(limit: number, offset: number): Promise<Page<AlertRule>> {
    const rows = await this.db
      .selectFrom('alert_rules')
      .selectAll()
      .orderBy('name')
      .orderBy('id')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return { items: await this.hydrateRules(p.items), more: p.more };
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const row = await this.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrateRules([row]))[0] : undefined;
  }

  async createRule(input: AlertRuleInput): Promise<AlertRule> {
    const id = newId();
    const at = new Date(this.clock.now()).toISOString();
    await this.db.transaction().execute(async (trx) => {
      await this.checkRule(trx, input);
      await trx
        .insertInto('alert_rules')
        .values({
          id,
          name: input.name,
          check_id: input.check_id ?? null,
          heartbeat_id: input.heartbeat_id ?? null,
          condition: input.condition,
          condition_parameters: JSON.stringify(input.condition_parameters ?? {}),
          severity: input.severity ?? 'high',
          cooldown_period: input.cooldown_period ?? 300,
          enabled: (input.enabled ?? true) ? 1 : 0,
          auto_resolve: (input.auto_resolve ?? true) ? 1 : 0,
          service_id: input.service_id ?? null,
          routing_key: input.routing_key ?? null,
          component_id: input.component_id ?? null,
          component_status: input.component_id ? (input.component_status ?? 'major_outage') : null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await this.replaceChannels(trx, id, input.channel_ids ?? []);
      // Evaluated against the current state by the engine, not only at the next change.
      await recordEvents(trx, [{ kind: 'rule_changed', ruleId: id, at: this.clock.now() }]);
    });
    return this.mustGetRule(id);
  }

  async updateRule(id: string, patch: Partial<AlertRuleInput>): Promise<AlertRule> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('alert rule', id, 'alert_id');
      const merged: AlertRuleInput = {
        name: patch.name ?? row.name,
        check_id: patch.check_id === undefined ? row.check_id : patch.check_id,
        heartbeat_id: patch.heartbeat_id === undefined ? row.heartbeat_id : patch.heartbeat_id,
        condition: patch.condition ?? row.condition,
        service_id: patch.service_id === undefined ? row.service_id : patch.service_id,
        routing_key: patch.routing_key === undefined ? row.routing_key : patch.routing_key,
        component_id: patch.component_id === undefined ? row.component_id : patch.component_id,
      };
      await this.checkRule(trx, merged);
      const set: Partial<AlertRulesTable> = {
        name: merged.name,
        check_id: merged.check_id ?? null,
        heartbeat_id: merged.heartbeat_id ?? null,
        condition: merged.condition,
        service_id: merged.service_id ?? null,
        routing_key: merged.routing_key ?? null,
        component_id: merged.component_id ?? null,
        component_status: merged.component_id
          ? (patch.component_status ?? row.component_status ?? 'major_outage')
          : null,
        updated_at: new Date(this.clock.now()).toISOString(),
      };
      if (patch.condition_parameters) set.condition_parameters = JSON.stringify(patch.condition_parameters);
      if (patch.severity) set.severity = patch.severity;
      if (patch.cooldown_period !== undefined) set.cooldown_period = patch.cooldown_period;
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.auto_resolve !== undefined) set.auto_resolve = patch.auto_resolve ? 1 : 0;
      await trx.updateTable('alert_rules').set(set).where('id', '=', id).execute();
      if (patch.channel_ids) await this.replaceChannels(trx, id, patch.channel_ids);
      await recordEvents(trx, [{ kind: 'rule_changed', ruleId: id, at: this.clock.now() }]);
    });
    return this.mustGetRule(id);
  }

  async deleteRule(id: string): Promise<void> {
    const result = await this.db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('alert rule', id, 'alert_id');
  }

  async listChannels(limit: number, offset: number): Promise<Page<AlertChannel>> {
    const rows = await this.db
      .selectFrom('alert_channels')
      .selectAll()
      .orderBy('name')
      .orderBy('id')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const p = page(rows, limit);
    return { items: p.items.map((r) => toChannel(r)), more: p.more };
  }

  async createChannel(input: AlertChannelInput): Promise<AlertChannel> {
    const id = newId();
    const at = new Date(this.clock.now()).toISOString();
    const checked = checkChannel(input.type, input.configuration);
    const row: AlertChannelsTable = {
      id,
      name: input.name,
      type: input.type,
      configuration: JSON.stringify(checked.configuration),
      // Signed kinds get a signing secret; ntfy and gotify keep the access token given.
      secret: CHANNEL_KINDS[input.type].signed ? newSigningSecret() : (checked.token ?? null),
      enabled: (input.enabled ?? true) ? 1 : 0,
      last_used_at: null,
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('alert_channels').values(row).execute();
    return toChannel(row, true);
  }

  async updateChannel(id: string, patch: Partial<AlertChannelInput>): Promise<AlertChannel> {
    const row = await this.db
      .selectFrom('alert_channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('alert channel', id, 'channel_id');
    const type = patch.type ?? row.type;
    const set: Partial<AlertChannelsTable> = { updated_at: new Date(this.clock.now()).toISOString() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.type !== undefined || patch.configuration !== undefined) {
      set.type = type;
      const sameKind = type === row.type;
      const given: Record<string, unknown> = patch.configuration ?? JSON.parse(row.configuration);
      // A kind that needs its token is checked with the one kept, unless a new one is given.
      const kept = sameKind && 'token' in CHANNEL_KINDS[type] && row.secret && given.token === undefined;
      const checked = checkChannel(type, kept ? { ...given, token: row.secret } : given);
      set.configuration = JSON.stringify(checked.configuration);
      if (CHANNEL_KINDS[type].signed && !(sameKind && row.secret)) set.secret = newSigningSecret();
      // A token kind keeps its token unless a new one is given; another kind's secret is not one.
      else if (!CHANNEL_KINDS[type].signed) set.secret = checked.token ?? (sameKind ? row.secret : null);
    }
    await this.db.updateTable('alert_channels').set(set).where('id', '=', id).execute();
    const updated = await this.db
      .selectFrom('alert_channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toChannel(updated, set.secret !== undefined);
  }

  async deleteChannel(id: string): Promise<void> {
    const result = await this.db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('alert channel', id, 'channel_id');
  }

  private async checkRule(trx: Transaction<Database>, r: AlertRuleInput) {
    if (r.routing_key !== undefined && r.routing_key !== null && !ROUTING_KEY_PATTERN.test(r.routing_key)) {
      throw new ValidationError(`alert_data.routing_key ${ROUTING_KEY_RULE}.`, {
        parameter: 'alert_data.routing_key',
      });
    }
    // One place for the alert's incident: PagerDuty's, or a local one, never both (a page each).
    if (r.routing_key && r.service_id) {
      throw new ValidationError(
        'Give routing_key (events to PagerDuty) or service_id (an incident here), not both; set the other to null.',
        { parameter: 'alert_data.routing_key' },
      );
    }
    const onHeartbeat = HEARTBEAT_CONDITIONS.includes(r.condition);
    if (onHeartbeat ? !r.heartbeat_id || r.check_id : !r.check_id || r.heartbeat_id) {
      throw new ValidationError(
        onHeartbeat
          ? `The condition ${r.condition} watches a heartbeat: give heartbeat_id (and no check_id).`
          : `The condition ${r.condition} watches a check: give check_id (and no heartbeat_id).`,
        { parameter: onHeartbeat ? 'alert_data.heartbeat_id' : 'alert_data.check_id' },
      );
    }
    const [table, sourceId, what, parameter] = onHeartbeat
      ? (['heartbeats', r.heartbeat_id, 'heartbeat', 'alert_data.heartbeat_id'] as const)
      : (['checks', r.check_id, 'check', 'alert_data.check_id'] as const);
    const found = await trx
      .selectFrom(table)
      .select('id')
      .where('id', '=', sourceId as string)
      .executeTakeFirst();
    if (!found) throw new NotFoundError(what, sourceId as string, parameter);
    if (r.service_id) {
      const service = await trx
        .selectFrom('services')
        .select('id')
        .where('id', '=', r.service_id)
        .executeTakeFirst();
      if (!service) throw new NotFoundError('service', r.service_id, 'alert_data.service_id');
    }
    if (r.component_id) {
      const component = await trx
        .selectFrom('status_components')
        .select('id')
        .where('id', '=', r.component_id)
        .executeTakeFirst();
      if (!component)
        throw new NotFoundError('status page component', r.component_id, 'alert_data.component_id');
    }
  }

  private async replaceChannels(trx: Transaction<Database>, ruleId: string, channelIds: string[]) {
    const unique = [...new Set(channelIds)];
    if (unique.length) {
      const found = new Set(
        (await trx.selectFrom('alert_channels').select('id').where('id', 'in', unique).execute()).map(
          (c) => c.id,
        ),
      );
      const missing = unique.find((c) => !found.has(c));
      if (missing) throw new NotFoundError('alert channel', missing, 'alert_data.channel_ids');
    }
    await trx.deleteFrom('alert_rule_channels').where('rule_id', '=', ruleId).execute();
    if (unique.length) {
      await trx
        .insertInto('alert_rule_channels')
        .values(unique.map((channel_id) => ({ rule_id: ruleId, channel_id })))
        .execute();
    }
  }

  private async mustGetRule(id: string): Promise<AlertRule> {
    const rule = await this.getRule(id);
    if (!rule) throw new NotFoundError('alert rule', id, 'alert_id');
    return rule;
  }

  private async hydrateRules(rows: AlertRulesTable[]): Promise<AlertRule[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const checkIds = rows.map((r) => r.check_id).filter((c): c is string => c !== null);
    const [channels, checks] = await Promise.all([
      this.db
        .selectFrom('alert_rule_channels')
        .innerJoin('alert_channels', 'alert_channels.id', 'alert_rule_channels.channel_id')
        .select([
          'alert_rule_channels.rule_id',
          'alert_channels.id',
          'alert_channels.name',
          'alert_channels.type',
        ])
        .where('alert_rule_channels.rule_id', 'in', ids)
        .orderBy('alert_channels.name')
        .execute(),
      checkIds.length
        ? this.db.selectFrom('checks').select(['id', 'name']).where('id', 'in', checkIds).execute()
        : Promise.resolve([]),
    ]);
    const byRule = groupBy(channels, (c) => c.rule_id);
    const names = new Map(checks.map((c) => [c.id, c.name]));
    return rows.map((r) => {
      const list = (byRule.get(r.id) ?? []).map((c) => ({ id: c.id, name: c.name, type: c.type }));
      return {
        id: r.id,
        name: r.name,
        check_id: r.check_id,
        check_name: r.check_id ? (names.get(r.check_id) ?? null) : null,
        heartbeat_id: r.heartbeat_id,
        condition: r.condition,
        condition_parameters: JSON.parse(r.condition_parameters),
        channel_ids: list.map((c) => c.id),
        channels: list,
        severity: r.severity,
        cooldown_period: r.cooldown_period,
        enabled: r.enabled === 1,
        auto_resolve: r.auto_resolve === 1,
        service_id: r.service_id,
        routing_key: r.routing_key === null ? null : maskRoutingKey(r.routing_key),
        component_id: r.component_id,
        component_status: r.component_status,
        created_at: r.created_at,
        updated_at: r.updated_at,
      };
    });
  }

  private async hydrateAlerts(rows: AlertsTable[]): Promise<Alert[]> {
    if (rows.length === 0) return [];
    const rules = await this.db
      .selectFrom('alert_rules')
      .select(['id', 'name', 'check_id', 'heartbeat_id'])
      .where(
        'id',
        'in',
        rows.map((r) => r.rule_id),
      )
      .execute();
    const deliveries = await this.db
      .selectFrom('deliveries')
      .select(['alert_id', 'event', 'status', 'attempts', 'last_error', 'delivered_at', 'dedup_key', 'seq'])
      .where(
        'alert_id',
        'in',
        rows.map((r) => r.id),
      )
      .where((eb) => eb.or([eb('status', '=', 'delivered'), eb('kind', '=', EVENTS_API_KIND)]))
      .orderBy('seq')
      .execute();
    const ruleOf = new Map(rules.map((r) => [r.id, r]));
    const sent = groupBy(
      deliveries.filter((d) => d.status === 'delivered'),
      (d) => d.alert_id,
    );
    const events = groupBy(
      deliveries.filter((d) => d.dedup_key !== null),
      (d) => d.alert_id,
    );
    const now = this.clock.now();
    return rows.map((r) => {
      const rule = ruleOf.get(r.rule_id);
      const times = (sent.get(r.id) ?? []).map((d) => d.delivered_at ?? 0);
      return {
        id: r.id,
        rule_id: r.rule_id,
        rule_name: rule?.name ?? r.rule_id,
        check_id: rule?.check_id ?? null,
        heartbeat_id: rule?.heartbeat_id ?? null,
        status: r.status,
        is_active: r.status !== 'resolved',
        severity: r.severity,
        description: r.description,
        fired_at: new Date(r.fired_at).toISOString(),
        resolved_at: r.resolved_at === null ? null : new Date(r.resolved_at).toISOString(),
        duration: Math.round(((r.resolved_at ?? now) - r.fired_at) / 1000),
        notification_count: times.length,
        last_notification_at: times.length ? new Date(Math.max(...times)).toISOString() : null,
        incident_id: r.incident_id,
        alert_metadata: JSON.parse(r.metadata),
        pagerduty: pagerdutyOf(events.get(r.id)),
      };
    });
  }
}

function pagerdutyOf(
  rows:
    | {
        event: string;
        status: string;
        attempts: number;
        last_error: string | null;
        delivered_at: number | null;
        dedup_key: string | null;
      }[]
    | undefined,
): Alert['pagerduty'] {
  const first = rows?.[0];
  if (!rows || !first) return null;
  return {
    dedup_key: first.dedup_key as string,
    events: rows.map(
      (d): PagerDutyEventDelivery => ({
        event_action: d.event === 'alert_resolved' ? 'resolve' : 'trigger',
        status: d.status as PagerDutyEventDelivery['status'],
        attempts: d.attempts,
        last_error: d.last_error,
        delivered_at: d.delivered_at === null ? null : new Date(d.delivered_at).toISOString(),
      }),
    ),
  };
}

/** A channel's configuration checked for its type; errors name the field. */
function checkChannel(
  type: ChannelType,
  config: Record<string, unknown>,
): { configuration: Record<string, unknown>; token?: string } {
  const checked = checkChannelConfiguration(type, config);
  if ('problem' in checked) throw new ValidationError(checked.problem, { parameter: checked.parameter });
  for (const address of channelAddresses(type, checked.configuration)) {
    checkChannelTarget(type, address, 'configuration.url');
  }
  return checked;
}

function toChannel(r: AlertChannelsTable, withSecret = false): AlertChannel {
  const configuration = JSON.parse(r.configuration) as Record<string, unknown>;
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    configuration:
      withSecret && r.secret && CHANNEL_KINDS[r.type]?.signed
        ? { ...configuration, signing_secret: r.secret }
        : configuration,
    enabled: r.enabled === 1,
    last_used_at: r.last_used_at === null ? null : new Date(r.last_used_at).toISOString(),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
