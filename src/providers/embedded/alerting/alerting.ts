/**
 * Turns check and heartbeat state into alerts, on the process that runs the engine: a rule whose
 * condition starts to hold fires one alert (none while one is active, none within its cooldown),
 * notifies its channels, and opens an incident on its service — or, with a routing key, sends
 * PagerDuty an Events API v2 trigger instead; when the condition stops holding and the rule
 * auto-resolves, the alert and its incident (or PagerDuty alert) are resolved.
 *
 * Maintenance silences: while a maintenance window is in effect on a rule's service, or a
 * status-page maintenance is under way over a component that follows the rule's check, an alert
 * that fires is recorded with what silenced it (`suppressed_by`) and nothing else happens — no
 * channel, no PagerDuty event, no component status, no incident. One that resolves in the window
 * stays silent. One still firing when the maintenance is over is heard then, as if it fired at
 * that moment: the sweeps release it (releaseSilenced) within a pass of the end.
 */
import type { Kysely } from 'kysely';
import type { AlertCondition, ChannelType, Severity } from '../../../core/alerts.js';
import { channelAddresses } from '../../../core/channels.js';
import { isDown } from '../../../core/check-state.js';
import type { ResultStatus } from '../../../core/checks.js';
import type { Clock } from '../../../core/clock.js';
import { ConflictError } from '../../../core/errors.js';
import type { Flip } from '../../../core/heartbeat-state.js';
import type { IncidentsPort } from '../../../core/incidents.js';
import type { Logger } from '../../../core/log.js';
import type { StatusChange } from '../store/check-runs.js';
import { queueDeliveries } from '../store/deliveries-repo.js';
import { newId } from '../store/ids.js';
import { type Silencer, statusMaintenanceInEffect, windowsInEffect } from '../store/maintenance-silencers.js';
import { groupBy } from '../store/repo-helpers.js';
import type { AlertRulesTable, Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { type EventsOptions, queueEvent, queueResolves, triggerEvent } from './pagerduty-events.js';

const MINUTE = 60_000;
/** Conditions over several runs or a window, which the sweep evaluates. */
const WINDOW_CONDITIONS = ['uptime_below_threshold', 'certificate_expiring', 'consecutive_failures'];

export class Alerting {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly incidents: IncidentsPort,
    private readonly events: EventsOptions = {},
  ) {}

  /**
   * Check status changes: conditions on the new status start or stop holding. Answers the checks
   * whose evaluation failed (their facts are worked again later); the others' rules are done.
   * Evaluating a change again is harmless: what was done already is not done twice.
   */
  async onCheckChanges(changes: readonly StatusChange[]): Promise<Set<string>> {
    // One query for the rules of every changed check, not one per change (a burst can be thousands).
    const ids = [...new Set(changes.map((c) => c.checkId))];
    const rules: AlertRulesTable[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      rules.push(
        ...(await this.db
          .selectFrom('alert_rules')
          .selectAll()
          .where('check_id', 'in', ids.slice(i, i + 500))
          .where('enabled', '=', 1)
          .execute()),
      );
    }
    const byCheck = groupBy(rules, (r) => r.check_id as string);
    const failed = new Set<string>();
    for (const c of changes) {
      for (const rule of byCheck.get(c.checkId) ?? []) {
        const ok = await this.guarded(rule, async () => {
          const holds = checkConditionHolds(rule, c.to);
          if (holds === undefined) return;
          const what = `${await this.checkName(c.checkId)} is ${c.to}: ${c.reason}`;
          if (holds) await this.fire(rule, what, { check_status: c.to, reason: c.reason });
          else await this.resolve(rule, `the check is ${c.to} again`);
        });
        if (!ok) failed.add(c.checkId);
      }
    }
    return failed;
  }

  /**
   * A rule created or changed, against the current state: a check rule whose check is already
   * in its condition fires now, one whose condition no longer holds resolves. Heartbeat rules
   * are compared with their heartbeat on every pass; window conditions are swept here too.
   * Answers whether the evaluation succeeded.
   */
  async onRuleChanged(ruleId: string): Promise<boolean> {
    const rule = await this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('id', '=', ruleId)
      .where('enabled', '=', 1)
      .executeTakeFirst();
    if (!rule?.check_id) return true;
    const checkId = rule.check_id;
    return this.guarded(rule, async () => {
      if (WINDOW_CONDITIONS.includes(rule.condition)) return this.sweepRule(rule);
      const check = await this.db
        .selectFrom('checks')
        .select(['name', 'status'])
        .where('id', '=', checkId)
        .executeTakeFirst();
      if (!check || check.status === 'pending' || check.status === 'paused') return;
      const holds = checkConditionHolds(rule, check.status);
      if (holds) await this.fire(rule, `${check.name} is ${check.status}`, { check_status: check.status });
      else if (holds === false) await this.resolve(rule, `the check is ${check.status}`);
    });
  }

  /** One rule's evaluation; a failure is logged and does not stop the others. Answers whether it worked. */
  private async guarded(rule: AlertRulesTable, evaluate: () => Promise<void>): Promise<boolean> {
    try {
      await evaluate();
      return true;
    } catch (err) {
      this.log.error({ err, rule: rule.id }, 'alert rule evaluation failed');
      return false;
    }
  }

  /**
   * Heartbeat state changes: late and down fire their rules; up resolves them. Answers the
   * heartbeats whose evaluation failed somewhere, to be tried again.
   */
  async onHeartbeatFlips(flips: readonly { id: string; flip: Flip }[]): Promise<Set<string>> {
    const failed = new Set<string>();
    for (const { id, flip } of flips) {
      const rules = await this.rules('heartbeat_id', id);
      const name = (
        await this.db.selectFrom('heartbeats').select('name').where('id', '=', id).executeTakeFirst()
      )?.name;
      for (const rule of rules) {
        const ok = await this.guarded(rule, async () => {
          const want = rule.condition === 'heartbeat_late' ? ['late', 'down'] : ['down'];
          if (want.includes(flip.to))
            await this.fire(rule, `Heartbeat ${name ?? id} is ${flip.to}: ${flip.reason}`, { ...flip });
          else if (flip.to === 'up') await this.resolve(rule, 'a ping arrived');
        });
        if (!ok) failed.add(id);
      }
    }
    return failed;
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
    for (const rule of recovered) await this.guarded(rule, () => this.resolve(rule, 'a ping arrived'));
  }

  /**
   * Heartbeat rules whose heartbeat is in their state with no alert: a failure ping puts a
   * heartbeat down without any flip the engine's clock sees, possibly in another process.
   */
  async fireDownHeartbeats(): Promise<void> {
    const rules = await this.db
      .selectFrom('alert_rules')
      .innerJoin('heartbeats', 'heartbeats.id', 'alert_rules.heartbeat_id')
      .selectAll('alert_rules')
      .select(['heartbeats.name as heartbeat_name', 'heartbeats.status as heartbeat_status'])
      .where('alert_rules.enabled', '=', 1)
      .where((eb) =>
        eb.or([
          eb('heartbeats.status', '=', 'down'),
          eb.and([eb('heartbeats.status', '=', 'late'), eb('alert_rules.condition', '=', 'heartbeat_late')]),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('alerts')
              .select('alerts.id')
              .whereRef('alerts.rule_id', '=', 'alert_rules.id')
              .where('alerts.status', '<>', 'resolved'),
          ),
        ),
      )
      .execute();
    for (const { heartbeat_name, heartbeat_status, ...rule } of rules) {
      await this.guarded(rule, () =>
        this.fire(rule, `Heartbeat ${heartbeat_name} is ${heartbeat_status}`, { status: heartbeat_status }),
      );
    }
  }

  /**
   * What a crash cut short between steps of a firing or a resolve: active alerts of rules with a
   * service but no incident, and incidents still open behind alerts that resolved. Alerts
   * younger than `graceMs` are left to the evaluation that may still be under way.
   */
  async completeCutShort(graceMs: number): Promise<void> {
    await this.releaseSilenced();
    const before = this.clock.now() - graceMs;
    const unopened = await this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .selectAll('alert_rules')
      .select(['alerts.id as alert_id', 'alerts.description', 'alerts.metadata'])
      .where('alerts.status', '<>', 'resolved')
      .where('alerts.incident_id', 'is', null)
      .where('alerts.suppressed_by', 'is', null)
      .where('alert_rules.service_id', 'is not', null)
      .where('alerts.fired_at', '<', before)
      .execute();
    for (const { alert_id, description, metadata, ...rule } of unopened) {
      await this.guarded(rule, () => this.openIncident(rule, alert_id, description, JSON.parse(metadata)));
    }
    const open = await this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .innerJoin('incidents', 'incidents.id', 'alerts.incident_id')
      .selectAll('alert_rules')
      .select('alerts.incident_id')
      .where('alerts.status', '=', 'resolved')
      .where('alerts.resolved_at', '<', before)
      .where('alert_rules.auto_resolve', '=', 1)
      .where('incidents.status', '<>', 'resolved')
      // The alert must still be its rule's latest: a later firing owns the incident now.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('alerts as later')
              .select('later.id')
              .whereRef('later.rule_id', '=', 'alerts.rule_id')
              .whereRef('later.fired_at', '>', 'alerts.fired_at'),
          ),
        ),
      )
      .execute();
    for (const { incident_id, ...rule } of open) {
      await this.guarded(rule, () => this.resolveIncident(rule, incident_id as string));
    }
  }

  /** Conditions over a window (uptime, certificate expiry), evaluated once a minute. */
  async sweep(): Promise<void> {
    const rules = await this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('enabled', '=', 1)
      .where('condition', 'in', WINDOW_CONDITIONS)
      .execute();
    for (const rule of rules) await this.guarded(rule, () => this.sweepRule(rule));
  }

  private async sweepRule(rule: AlertRulesTable): Promise<void> {
    const now = this.clock.now();
    const p = JSON.parse(rule.condition_parameters) as Record<string, number>;
    const checkId = rule.check_id as string;
    const recent = (limit: number) =>
      this.db
        .selectFrom('check_results')
        .select(['status', 'metadata'])
        .where('check_id', '=', checkId)
        .where('result_type', '=', 'regular')
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
    if (rule.condition === 'consecutive_failures') {
      const count = p.count ?? 3;
      const runs = await recent(count);
      if (runs.length === 0) return;
      if (runs.length >= count && runs.every((r) => isDown(r.status as ResultStatus))) {
        await this.fire(rule, `${await this.checkName(checkId)} failed ${count} runs in a row`, { count });
      } else if (!isDown(runs[0]?.status as ResultStatus)) await this.resolve(rule, 'the check passes again');
      return;
    }
    if (rule.condition === 'uptime_below_threshold') {
      const window = (p.window_minutes ?? 60) * MINUTE;
      const threshold = p.threshold ?? 99;
      const rows = await this.db
        .selectFrom('check_results')
        .select('status')
        .where('check_id', '=', checkId)
        .where('result_type', '=', 'regular')
        .where('created_at', '>=', now - window)
        .execute();
      if (rows.length === 0) return;
      const uptime = (rows.filter((r) => !isDown(r.status as ResultStatus)).length / rows.length) * 100;
      if (uptime < threshold) {
        await this.fire(
          rule,
          `Uptime ${uptime.toFixed(2)}% over ${window / MINUTE} min, below ${threshold}%`,
          {
            uptime,
          },
        );
      } else await this.resolve(rule, `uptime back to ${uptime.toFixed(2)}%`);
      return;
    }
    const [last] = await recent(1);
    const meta = last
      ? (JSON.parse(last.metadata) as { days_remaining?: unknown; tls?: { days_remaining?: unknown } })
      : undefined;
    const days = meta?.days_remaining ?? meta?.tls?.days_remaining;
    if (typeof days !== 'number') return;
    if (days < (p.days ?? 14))
      await this.fire(rule, `The certificate expires in ${days} day(s)`, { days_remaining: days });
    else await this.resolve(rule, `the certificate is valid for ${days} more days`);
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
    const last = await this.latestAlert(rule.id);
    // Already firing: only what a crash may have cut short is left to do.
    if (last && last.status !== 'resolved') {
      if (rule.service_id && !last.incident_id && !last.suppressed_by)
        await this.openIncident(rule, last.id, description, metadata);
      return;
    }
    if (last && now - last.fired_at < rule.cooldown_period * 1000) return;
    const id = newId();
    const silencer = await this.silencer(rule, now);
    if (silencer) return this.fireSilenced(rule, id, description, metadata, silencer, now);
    // Built before the transaction: it reads the source's latest facts.
    const event = rule.routing_key
      ? await triggerEvent(this.db, rule, { id, description, firedAt: now, metadata }, this.events)
      : undefined;
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
        if (event) await queueEvent(trx, id, rule.routing_key as string, event, now);
        if (rule.component_id)
          await setComponent(trx, rule.component_id, rule.component_status ?? 'major_outage', now);
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
    const active = await this.latestAlert(rule.id);
    if (!active) return;
    if (active.status === 'resolved') {
      // Resolved before a crash cut the rest short: its incident may still be open.
      if (active.incident_id) await this.resolveIncident(rule, active.incident_id);
      return;
    }
    if (active.suppressed_by) {
      // Nobody heard it fire, so nobody hears it resolve.
      await this.db
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now })
        .where('id', '=', active.id)
        .execute();
      this.log.info({ alert: active.id, rule: rule.id, why }, 'silenced alert resolved');
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now })
        .where('id', '=', active.id)
        .execute();
      await this.queue(trx, rule.id, active.id, 'alert_resolved', now);
      // To wherever the trigger went, even if the rule's routing key has changed since.
      await queueResolves(trx, active.id, this.events, now);
      if (rule.component_id) await setComponent(trx, rule.component_id, 'operational', now);
    });
    this.log.info({ alert: active.id, rule: rule.id, why }, 'alert resolved');
    if (active.incident_id) await this.resolveIncident(rule, active.incident_id);
  }

  /**
   * What silences a rule's alerts at `now`: a maintenance window in effect on its service, else a
   * status-page maintenance under way over a component that follows its check.
   */
  private async silencer(rule: AlertRulesTable, now: number): Promise<Silencer | undefined> {
    if (rule.service_id) {
      const window = (await windowsInEffect(this.db, [rule.service_id], now)).get(rule.service_id);
      if (window) return window;
    }
    if (rule.check_id)
      return (await statusMaintenanceInEffect(this.db, [rule.check_id], now)).get(rule.check_id);
    return undefined;
  }

  /** An alert fired under maintenance: recorded with what silenced it, and nothing else. */
  private async fireSilenced(
    rule: AlertRulesTable,
    id: string,
    description: string,
    metadata: Record<string, unknown>,
    silencer: Silencer,
    now: number,
  ): Promise<void> {
    try {
      await this.db
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
          metadata: JSON.stringify({ ...metadata, suppressed_by: silencer }),
          suppressed_by: JSON.stringify(silencer),
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) return; // another firing of this rule won
      throw err;
    }
    this.log.info({ alert: id, rule: rule.id, description, silencer }, 'alert silenced by maintenance');
  }

  /**
   * Silenced alerts still firing once their maintenance is over (ended, deleted or completed):
   * heard now — channels, PagerDuty event, component status, incident — as a firing is.
   */
  async releaseSilenced(): Promise<void> {
    const now = this.clock.now();
    const silenced = await this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .selectAll('alert_rules')
      .select(['alerts.id as alert_id', 'alerts.description', 'alerts.metadata', 'alerts.fired_at'])
      .where('alerts.status', '<>', 'resolved')
      .where('alerts.suppressed_by', 'is not', null)
      .where('alert_rules.enabled', '=', 1)
      .execute();
    if (silenced.length === 0) return;
    // What still silences them, in two queries for all (a long window may hold many).
    const windows = await windowsInEffect(
      this.db,
      silenced.flatMap((r) => (r.service_id ? [r.service_id] : [])),
      now,
    );
    const pages = await statusMaintenanceInEffect(
      this.db,
      silenced.flatMap((r) => (r.check_id ? [r.check_id] : [])),
      now,
    );
    for (const { alert_id, description, metadata, fired_at, ...rule } of silenced) {
      if (rule.service_id && windows.has(rule.service_id)) continue;
      if (rule.check_id && pages.has(rule.check_id)) continue;
      await this.guarded(rule, async () => {
        const { suppressed_by: was, ...details } = JSON.parse(metadata) as Record<string, unknown>;
        const event = rule.routing_key
          ? await triggerEvent(
              this.db,
              rule,
              { id: alert_id, description, firedAt: Number(fired_at), metadata: details },
              this.events,
            )
          : undefined;
        const released = await this.db.transaction().execute(async (trx) => {
          const { numUpdatedRows } = await trx
            .updateTable('alerts')
            .set({ suppressed_by: null, metadata: JSON.stringify(details) })
            .where('id', '=', alert_id)
            .where('suppressed_by', 'is not', null)
            .where('status', '<>', 'resolved')
            .executeTakeFirst();
          if (numUpdatedRows === 0n) return false;
          await this.queue(trx, rule.id, alert_id, 'alert_fired', now);
          if (event) await queueEvent(trx, alert_id, rule.routing_key as string, event, now);
          if (rule.component_id)
            await setComponent(trx, rule.component_id, rule.component_status ?? 'major_outage', now);
          return true;
        });
        if (!released) return;
        this.log.info(
          { alert: alert_id, rule: rule.id },
          'maintenance over: silenced alert still firing, heard now',
        );
        // Its details say what held it back, so the responder knows why it opens late.
        if (rule.service_id)
          await this.openIncident(rule, alert_id, description, { ...details, silenced_by: was });
      });
    }
  }

  /** The rule's latest alert: the active one, if any (one at most). */
  private latestAlert(ruleId: string) {
    return this.db
      .selectFrom('alerts')
      .select(['id', 'status', 'fired_at', 'incident_id', 'suppressed_by'])
      .where('rule_id', '=', ruleId)
      .orderBy('fired_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  private async resolveIncident(rule: AlertRulesTable, incidentId: string): Promise<void> {
    const incident = await this.db
      .selectFrom('incidents')
      .select('status')
      .where('id', '=', incidentId)
      .executeTakeFirst();
    if (!incident || incident.status === 'resolved') return;
    await this.incidents
      .resolve(incidentId, { type: 'service', id: rule.service_id ?? 'vigil' })
      .catch((err) => {
        if (!(err instanceof ConflictError)) throw err; // already resolved by someone
      });
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
    // Resolved while the incident was being opened: it must not stay open behind the alert.
    const alert = await this.db
      .selectFrom('alerts')
      .select('status')
      .where('id', '=', alertId)
      .executeTakeFirst();
    if (alert?.status === 'resolved' && rule.auto_resolve === 1) {
      await this.incidents
        .resolve(id, { type: 'service', id: rule.service_id as string })
        .catch(() => undefined);
    }
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
      const kind = c.type as ChannelType;
      return channelAddresses(kind, JSON.parse(c.configuration)).map((address) => ({
        alert_id: alertId,
        channel_id: c.id,
        event,
        kind: c.type,
        address,
        secret: c.secret,
      }));
    });
    await queueDeliveries(trx, rows, now);
  }
}

/** A status-page component's own status (an open page incident naming it still shows over it). */
async function setComponent(trx: Kysely<Database>, componentId: string, status: string, now: number) {
  await trx
    .updateTable('status_components')
    .set({ status, updated_at: new Date(now).toISOString() })
    .where('id', '=', componentId)
    .execute();
}

function urgencyOf(severity: Severity): 'high' | 'low' {
  return severity === 'critical' || severity === 'high' ? 'high' : 'low';
}

/**
 * Whether a check rule's condition holds in a status the check moved to; undefined when the
 * status says nothing of it. Conditions over several runs are the sweep's.
 */
function checkConditionHolds(rule: AlertRulesTable, status: string): boolean | undefined {
  switch (rule.condition as AlertCondition) {
    case 'check_failed':
      return isDown(status as ResultStatus) ? true : status === 'degraded' ? undefined : false;
    case 'check_timeout':
      return status === 'timeout' ? true : status === 'failed' ? undefined : false;
    case 'check_degraded':
      return status === 'degraded';
    default:
      return undefined;
  }
}
