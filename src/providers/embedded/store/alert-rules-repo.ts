/**
 * The alerting engine's store: the enabled rules to evaluate and the state they are evaluated
 * against, and each alert's life — fired (or silenced by maintenance), released, resolved,
 * linked to its incident. A step that causes later work (channel deliveries, Events API events,
 * a status-page component's status) writes it in the same transaction as the alert's change.
 * The rules themselves are created and listed through alerts-repo.ts.
 */
import type { Kysely } from 'kysely';
import { ALERT_CONDITIONS } from '../../../core/alerts.js';
import { channelAddresses } from '../../../core/channels.js';
import type { ComponentStatus } from '../../../core/status-pages.js';
import { queueDeliveries } from './deliveries-repo.js';
import {
  type CheckSource,
  type EventsApiEvent,
  eventSourceOf,
  type HeartbeatSource,
  queueEventsApiEvent,
  queueEventsApiResolves,
} from './events-api-deliveries.js';
import { type Silencer, statusMaintenanceInEffect, windowsInEffect } from './maintenance-silencers.js';
import type { Db } from './repo-helpers.js';
import type { AlertRulesTable, CheckResultsTable, ChecksTable, Database } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

/** An alert as a rule fires it. */
export interface Firing {
  id: string;
  description: string;
  metadata: Record<string, unknown>;
  at: number;
}

/** An Events API event and the routing key it goes to. */
export interface RoutedEvent {
  routingKey: string;
  event: EventsApiEvent;
}

export class AlertRuleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The enabled rules of these checks, in one query per 500 (a burst can be thousands). */
  async enabledRulesOfChecks(checkIds: readonly string[]): Promise<AlertRulesTable[]> {
    const rules: AlertRulesTable[] = [];
    for (let i = 0; i < checkIds.length; i += 500) {
      rules.push(
        ...(await this.db
          .selectFrom('alert_rules')
          .selectAll()
          .where('check_id', 'in', checkIds.slice(i, i + 500))
          .where('enabled', '=', 1)
          .execute()),
      );
    }
    return rules;
  }

  enabledRulesOfHeartbeat(heartbeatId: string): Promise<AlertRulesTable[]> {
    return this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('heartbeat_id', '=', heartbeatId)
      .where('enabled', '=', 1)
      .execute();
  }

  enabledRule(id: string): Promise<AlertRulesTable | undefined> {
    return this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('id', '=', id)
      .where('enabled', '=', 1)
      .executeTakeFirst();
  }

  /** Enabled rules over a window of runs, which the sweep evaluates. */
  enabledRulesWith(conditions: readonly string[]): Promise<AlertRulesTable[]> {
    return this.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('enabled', '=', 1)
      .where(
        'condition',
        'in',
        ALERT_CONDITIONS.filter((c) => conditions.includes(c)),
      )
      .execute();
  }

  /** A check's name and status now; undefined once deleted. */
  checkState(id: string): Promise<Pick<ChecksTable, 'name' | 'status'> | undefined> {
    return this.db.selectFrom('checks').select(['name', 'status']).where('id', '=', id).executeTakeFirst();
  }

  async heartbeatName(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('heartbeats').select('name').where('id', '=', id).executeTakeFirst())
      ?.name;
  }

  /** The check's latest `limit` scheduled results, newest first. */
  recentResults(checkId: string, limit: number): Promise<Pick<CheckResultsTable, 'status' | 'metadata'>[]> {
    return this.db
      .selectFrom('check_results')
      .select(['status', 'metadata'])
      .where('check_id', '=', checkId)
      .where('result_type', '=', 'regular')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** The statuses of the check's scheduled results since `since`. */
  resultsSince(checkId: string, since: number): Promise<Pick<CheckResultsTable, 'status'>[]> {
    return this.db
      .selectFrom('check_results')
      .select('status')
      .where('check_id', '=', checkId)
      .where('result_type', '=', 'regular')
      .where('created_at', '>=', since)
      .execute();
  }

  /** Rules with an active alert whose heartbeat is up again (a ping arrived, possibly in another process). */
  rulesOfRecoveredHeartbeats(): Promise<AlertRulesTable[]> {
    return this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .innerJoin('heartbeats', 'heartbeats.id', 'alert_rules.heartbeat_id')
      .selectAll('alert_rules')
      .where('alerts.status', '<>', 'resolved')
      .where('heartbeats.status', '=', 'up')
      .execute();
  }

  /** Enabled heartbeat rules whose heartbeat is in their state (down; or late, for heartbeat_late) with no active alert. */
  heartbeatRulesToFire(): Promise<
    (AlertRulesTable & { heartbeat_name: string; heartbeat_status: string })[]
  > {
    return this.db
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
  }

  /** Active, unsilenced alerts fired before `before` by a rule with a service, with no incident yet. */
  alertsWithoutIncident(
    before: number,
  ): Promise<(AlertRulesTable & { alert_id: string; description: string; metadata: string })[]> {
    return this.db
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
  }

  /**
   * Incidents still open behind alerts of auto-resolving rules that resolved before `before`,
   * when the alert is still its rule's latest (a later firing owns the incident then).
   */
  incidentsOpenBehindResolved(before: number): Promise<(AlertRulesTable & { incident_id: string | null })[]> {
    return (
      this.db
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
        .execute()
    );
  }

  /** Silenced alerts still active, of enabled rules. */
  silencedAlerts(): Promise<
    (AlertRulesTable & { alert_id: string; description: string; metadata: string; fired_at: number })[]
  > {
    return this.db
      .selectFrom('alerts')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .selectAll('alert_rules')
      .select(['alerts.id as alert_id', 'alerts.description', 'alerts.metadata', 'alerts.fired_at'])
      .where('alerts.status', '<>', 'resolved')
      .where('alerts.suppressed_by', 'is not', null)
      .where('alert_rules.enabled', '=', 1)
      .execute();
  }

  /** The maintenance window in effect at `now` on each of these services that has one. */
  windowsInEffect(serviceIds: readonly string[], now: number): Promise<Map<string, Silencer>> {
    return windowsInEffect(this.db, serviceIds, now);
  }

  /** The status-page maintenance under way at `now` over each of these checks that has one. */
  statusMaintenanceInEffect(checkIds: readonly string[], now: number): Promise<Map<string, Silencer>> {
    return statusMaintenanceInEffect(this.db, checkIds, now);
  }

  /** What the rule watches as it is now, for its Events API trigger. */
  eventSource(rule: AlertRulesTable): Promise<CheckSource | HeartbeatSource> {
    return eventSourceOf(this.db, rule);
  }

  /** The rule's latest alert: the active one, if any (one at most). */
  latestAlert(ruleId: string) {
    return this.db
      .selectFrom('alerts')
      .select(['id', 'status', 'fired_at', 'incident_id', 'suppressed_by'])
      .where('rule_id', '=', ruleId)
      .orderBy('fired_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async incidentStatus(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('incidents').select('status').where('id', '=', id).executeTakeFirst())
      ?.status;
  }

  /**
   * Records a firing with, in its transaction, a delivery per channel of the rule, its Events API
   * trigger and its component's status. Answers false when another firing of the rule won.
   */
  async fire(rule: AlertRulesTable, alert: Firing, trigger: RoutedEvent | undefined): Promise<boolean> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await insertAlert(trx, rule, alert);
        await this.heard(trx, rule, alert.id, trigger, alert.at);
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false; // another firing of this rule won
      throw err;
    }
  }

  /**
   * Records a firing under maintenance with what silenced it, and nothing else. Answers false
   * when another firing of the rule won.
   */
  async fireSilenced(rule: AlertRulesTable, alert: Firing, silencer: Silencer): Promise<boolean> {
    try {
      await insertAlert(
        this.db,
        rule,
        { ...alert, metadata: { ...alert.metadata, suppressed_by: silencer } },
        silencer,
      );
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false; // another firing of this rule won
      throw err;
    }
  }

  /**
   * A silenced alert heard now: unsilenced, with what its firing causes in the same transaction.
   * Answers false when it is no longer silenced and active (someone else released or resolved it).
   */
  async release(
    rule: AlertRulesTable,
    alertId: string,
    metadata: Record<string, unknown>,
    trigger: RoutedEvent | undefined,
    now: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { numUpdatedRows } = await trx
        .updateTable('alerts')
        .set({ suppressed_by: null, metadata: JSON.stringify(metadata) })
        .where('id', '=', alertId)
        .where('suppressed_by', 'is not', null)
        .where('status', '<>', 'resolved')
        .executeTakeFirst();
      if (numUpdatedRows === 0n) return false;
      await this.heard(trx, rule, alertId, trigger, now);
      return true;
    });
  }

  /** A silenced alert resolved: nobody heard it fire, so nothing else is written. */
  async resolveSilenced(alertId: string, now: number): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ status: 'resolved', resolved_at: now })
      .where('id', '=', alertId)
      .execute();
  }

  /**
   * Resolves an alert with, in its transaction, a delivery per channel of the rule, the resolves
   * of its Events API triggers (`resolveOf` builds one for a dedup key) and its component back to
   * operational.
   */
  async resolve(
    rule: AlertRulesTable,
    alertId: string,
    resolveOf: (dedupKey: string) => EventsApiEvent,
    now: number,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now })
        .where('id', '=', alertId)
        .execute();
      await this.queue(trx, rule.id, alertId, 'alert_resolved', now);
      // To wherever the trigger went, even if the rule's routing key has changed since.
      await queueEventsApiResolves(trx, alertId, resolveOf, now);
      if (rule.component_id) await setComponent(trx, rule.component_id, 'operational', now);
    });
  }

  /** Links the alert to the incident it opened; answers the alert's status after (it may have resolved meanwhile). */
  async linkIncident(alertId: string, incidentId: string): Promise<string | undefined> {
    await this.db.updateTable('alerts').set({ incident_id: incidentId }).where('id', '=', alertId).execute();
    return (await this.db.selectFrom('alerts').select('status').where('id', '=', alertId).executeTakeFirst())
      ?.status;
  }

  /** What a firing (or a release) causes: deliveries, its Events API trigger, its component's status. */
  private async heard(
    trx: Kysely<Database>,
    rule: AlertRulesTable,
    alertId: string,
    trigger: RoutedEvent | undefined,
    now: number,
  ): Promise<void> {
    await this.queue(trx, rule.id, alertId, 'alert_fired', now);
    if (trigger) await queueEventsApiEvent(trx, alertId, trigger.routingKey, trigger.event, now);
    if (rule.component_id)
      await setComponent(trx, rule.component_id, rule.component_status ?? 'major_outage', now);
  }

  /** A delivery per enabled channel of the rule. */
  private async queue(
    trx: Kysely<Database>,
    ruleId: string,
    alertId: string,
    event: 'alert_fired' | 'alert_resolved',
    now: number,
  ) {
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
      const kind = c.type;
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

/** A firing alert's row; a silenced one names what silenced it. */
async function insertAlert(db: Db, rule: AlertRulesTable, alert: Firing, silencer?: Silencer): Promise<void> {
  await db
    .insertInto('alerts')
    .values({
      id: alert.id,
      rule_id: rule.id,
      status: 'firing',
      severity: rule.severity,
      description: alert.description.slice(0, 1000),
      fired_at: alert.at,
      resolved_at: null,
      incident_id: null,
      metadata: JSON.stringify(alert.metadata),
      ...(silencer && { suppressed_by: JSON.stringify(silencer) }),
    })
    .execute();
}

/** A status-page component's own status (an open page incident naming it still shows over it). */
async function setComponent(
  trx: Kysely<Database>,
  componentId: string,
  status: ComponentStatus,
  now: number,
) {
  await trx
    .updateTable('status_components')
    .set({ status, updated_at: new Date(now).toISOString() })
    .where('id', '=', componentId)
    .execute();
}
