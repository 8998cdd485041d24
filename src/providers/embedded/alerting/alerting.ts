/**
 * Turns check and heartbeat state into alerts, on the process that runs the engine: a rule whose
 * condition starts to hold fires one alert (none while one is active, none within its cooldown),
 * notifies its channels, and opens an incident on its service; when the condition stops holding
 * and the rule auto-resolves, the alert and its incident are resolved.
 */
import type { Kysely } from 'kysely';
import type { AlertCondition, Severity } from '../../../core/alerts.js';
import { isDown } from '../../../core/check-state.js';
import type { Clock } from '../../../core/clock.js';
import { ConflictError } from '../../../core/errors.js';
import type { Flip } from '../../../core/heartbeat-state.js';
import type { IncidentsPort } from '../../../core/incidents.js';
import type { Logger } from '../../../core/log.js';
import type { StatusChange } from '../store/check-runs.js';
import { newId } from '../store/ids.js';
import type { AlertRulesTable, Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/sql-errors.js';

const MINUTE = 60_000;

export class Alerting {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly incidents: IncidentsPort,
  ) {}

  /** Check status changes: conditions on the new status start or stop holding. */
  async onCheckChanges(changes: readonly StatusChange[]): Promise<void> {
    for (const c of changes) {
      const rules = await this.rules('check_id', c.checkId);
      for (const rule of rules) {
        const holds = await this.checkConditionHolds(rule, c.to);
        if (holds === undefined) continue;
        const what = `${await this.checkName(c.checkId)} is ${c.to}: ${c.reason}`;
        if (holds) await this.fire(rule, what, { check_status: c.to, reason: c.reason });
        else await this.resolve(rule, `the check is ${c.to} again`);
      }
    }
  }

  /** Heartbeat state changes: late and down fire their rules; up resolves them. */
  async onHeartbeatFlips(flips: readonly { id: string; flip: Flip }[]): Promise<void> {
    for (const { id, flip } of flips) {
      const rules = await this.rules('heartbeat_id', id);
      const name = (
        await this.db.selectFrom('heartbeats').select('name').where('id', '=', id).executeTakeFirst()
      )?.name;
      for (const rule of rules) {
        const want = rule.condition === 'heartbeat_late' ? ['late', 'down'] : ['down'];
        if (want.includes(flip.to))
          await this.fire(rule, `Heartbeat ${name ?? id} is ${flip.to}: ${flip.reason}`, { ...flip });
        else if (flip.to === 'up') await this.resolve(rule, 'a ping arrived');
      }
    }
  }

  /** Heartbeat alerts whose heartbeat is up again (a ping arrived, possibly in another process). */
  async resolveRecoveredHeartbeats(): Promise<void> {
    const recovered = await this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .innerJoin('heartbeats', 'heartbeats.id', 'alert_rules.heartbeat_id')
      .selectAll('alert_rules')
      .where('alerts.status', '<>', 'resolved')
      .where('heartbeats.status', '=', 'up')
      .execute();
    for (const rule of recovered) await this.resolve(rule, 'a ping arrived');
  }

  /** Conditions over a window (uptime, certificate expiry), evaluated once a minute. */
  async sweep(): Promise<void> {
    const rules = await this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('enabled', '=', 1)
      .where('condition', 'in', ['uptime_below_threshold', 'certificate_expiring'])
      .execute();
    const now = this.clock.now();
    for (const rule of rules) {
      const p = JSON.parse(rule.condition_parameters) as Record<string, number>;
      if (rule.condition === 'uptime_below_threshold') {
        const window = (p.window_minutes ?? 60) * MINUTE;
        const threshold = p.threshold ?? 99;
        const rows = await this.db
          .selectFrom('check_results')
          .select('status')
          .where('check_id', '=', rule.check_id as string)
          .where('result_type', '=', 'regular')
          .where('created_at', '>=', now - window)
          .execute();
        if (rows.length === 0) continue;
        const uptime = (rows.filter((r) => !isDown(r.status as 'ok')).length / rows.length) * 100;
        if (uptime < threshold) {
          await this.fire(
            rule,
            `Uptime ${uptime.toFixed(2)}% over ${window / MINUTE} min, below ${threshold}%`,
            { uptime },
          );
        } else await this.resolve(rule, `uptime back to ${uptime.toFixed(2)}%`);
      } else {
        const last = await this.db
          .selectFrom('check_results')
          .select('metadata')
          .where('check_id', '=', rule.check_id as string)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        const meta = last
          ? (JSON.parse(last.metadata) as { days_remaining?: unknown; tls?: { days_remaining?: unknown } })
          : undefined;
        const days = meta?.days_remaining ?? meta?.tls?.days_remaining;
        if (typeof days !== 'number') continue;
        const limit = p.days ?? 14;
        if (days < limit)
          await this.fire(rule, `The certificate expires in ${days} day(s)`, { days_remaining: days });
        else await this.resolve(rule, `the certificate is valid for ${days} more days`);
      }
    }
  }

  /** Whether a check rule's condition holds in this status; undefined when it does not speak to it. */
  private async checkConditionHolds(rule: AlertRulesTable, status: string): Promise<boolean | undefined> {
    const condition = rule.condition as AlertCondition;
    if (status === 'ok') return false;
    if (condition === 'check_failed')
      return status === 'failed' ? true : status === 'degraded' ? undefined : false;
    if (condition === 'check_timeout') return status === 'timeout' ? true : undefined;
    if (condition === 'check_degraded') return status === 'degraded';
    if (condition === 'consecutive_failures') {
      if (!isDown(status as 'failed')) return false;
      const count = Number((JSON.parse(rule.condition_parameters) as { count?: number }).count ?? 3);
      const recent = await this.db
        .selectFrom('check_results')
        .select('status')
        .where('check_id', '=', rule.check_id as string)
        .where('result_type', '=', 'regular')
        .orderBy('created_at', 'desc')
        .limit(count)
        .execute();
      return recent.length >= count && recent.every((r) => isDown(r.status as 'failed'));
    }
    return undefined;
  }

  private rules(column: 'check_id' | 'heartbeat_id', id: string) {
    return this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where(column, '=', id)
      .where('enabled', '=', 1)
      .execute();
  }

  private async checkName(id: string): Promise<string> {
    return (
      (await this.db.selectFrom('checks').select('name').where('id', '=', id).executeTakeFirst())?.name ?? id
    );
  }

  private async fire(
    rule: AlertRulesTable,
    description: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    const now = this.clock.now();
    const last = await this.db
      .selectFrom('alerts')
      .select(['status', 'fired_at'])
      .where('rule_id', '=', rule.id)
      .orderBy('fired_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last && (last.status !== 'resolved' || now - last.fired_at < rule.cooldown_period * 1000)) return;
    const id = newId();
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('alerts')
          .values({
            id,
            rule_id: rule.id,
            status: 'firing',
            severity: rule.severity,
            description: description.slice(0, 1000),
            fired_at: now,
            resolved_at: null,
            incident_id: null,
            metadata: JSON.stringify(metadata),
          })
          .execute();
        await this.queue(trx, rule.id, id, 'alert_fired', now);
      });
    } catch (err) {
      if (isUniqueViolation(err)) return; // another firing of this rule won
      throw err;
    }
    this.log.info({ alert: id, rule: rule.id, description }, 'alert fired');
    if (rule.service_id) await this.openIncident(rule, id, description, metadata);
  }

  private async resolve(rule: AlertRulesTable, why: string): Promise<void> {
    if (rule.auto_resolve !== 1) return;
    const now = this.clock.now();
    const active = await this.db
      .selectFrom('alerts')
      .select(['id', 'incident_id'])
      .where('rule_id', '=', rule.id)
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
    if (!active) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now })
        .where('id', '=', active.id)
        .execute();
      await this.queue(trx, rule.id, active.id, 'alert_resolved', now);
    });
    this.log.info({ alert: active.id, rule: rule.id, why }, 'alert resolved');
    if (active.incident_id) {
      await this.incidents
        .resolve(active.incident_id, { type: 'service', id: rule.service_id ?? 'vigil' })
        .catch((err) => {
          if (!(err instanceof ConflictError)) throw err; // already resolved by someone
        });
    }
  }

  private async openIncident(
    rule: AlertRulesTable,
    alertId: string,
    title: string,
    details: Record<string, unknown>,
  ) {
    const { id } = await this.incidents.trigger({
      serviceId: rule.service_id as string,
      title: title.slice(0, 255),
      urgency: urgencyOf(rule.severity as Severity),
      incidentKey: `vigil-alert:${rule.id}`,
      details: { alert_id: alertId, rule: rule.name, ...details },
      by: { type: 'service', id: rule.service_id as string },
    });
    await this.db.updateTable('alerts').set({ incident_id: id }).where('id', '=', alertId).execute();
  }

  /** A delivery per enabled channel of the rule. */
  private async queue(trx: Kysely<Database>, ruleId: string, alertId: string, event: string, now: number) {
    const channels = await trx
      .selectFrom('alert_rule_channels')
      .innerJoin('alert_channels', 'alert_channels.id', 'alert_rule_channels.channel_id')
      .select([
        'alert_channels.id',
        'alert_channels.type',
        'alert_channels.configuration',
        'alert_channels.secret',
      ])
      .where('alert_rule_channels.rule_id', '=', ruleId)
      .where('alert_channels.enabled', '=', 1)
      .execute();
    const rows = channels.flatMap((c) => {
      const config = JSON.parse(c.configuration) as { url?: string; to?: string[] };
      const addresses = c.type === 'email' ? (config.to ?? []) : [config.url as string];
      return addresses.map((address) => ({
        id: newId(),
        alert_id: alertId,
        channel_id: c.id,
        event,
        kind: c.type,
        address,
        secret: c.secret,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        delivered_at: null,
      }));
    });
    if (rows.length) await trx.insertInto('alert_deliveries').values(rows).execute();
  }
}

function urgencyOf(severity: Severity): 'high' | 'low' {
  return severity === 'critical' || severity === 'high' ? 'high' : 'low';
}
