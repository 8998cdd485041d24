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
import type { Severity } from '../../../core/alerts.js';
import { isDown } from '../../../core/check-state.js';
import type { CheckStatus } from '../../../core/checks.js';
import type { Clock } from '../../../core/clock.js';
import { ConflictError } from '../../../core/errors.js';
import type { Flip } from '../../../core/heartbeat-state.js';
import type { IncidentsPort } from '../../../core/incidents.js';
import type { Logger } from '../../../core/log.js';
import { AlertRuleRepository, type Firing, type RoutedEvent } from '../store/alert-rules-repo.js';
import type { StatusChange } from '../store/check-runs.js';
import { newId } from '../store/ids.js';
import type { Silencer } from '../store/maintenance-silencers.js';
import { groupBy } from '../store/repo-helpers.js';
import type { AlertRulesTable, Database } from '../store/schema.js';
import { type EventsOptions, resolveEvent, triggerEvent } from './pagerduty-events.js';

const MINUTE = 60_000;
/** Conditions over several runs or a window, which the sweep evaluates. */
const WINDOW_CONDITIONS = ['uptime_below_threshold', 'certificate_expiring', 'consecutive_failures'];

export class Alerting {
  private readonly store: AlertRuleRepository;

  constructor(
    db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly incidents: IncidentsPort,
    private readonly events: EventsOptions = {},
  ) {
    this.store = new AlertRuleRepository(db);
  }

  /**
   * Check status changes: conditions on the new status start or stop holding. Answers the checks
   * whose evaluation failed (their facts are worked again later); the others' rules are done.
   * Evaluating a change again is harmless: what was done already is not done twice.
   */
  async onCheckChanges(changes: readonly StatusChange[]): Promise<Set<string>> {
    // One query for the rules of every changed check, not one per change (a burst can be thousands).
    const rules = await this.store.enabledRulesOfChecks([...new Set(changes.map((c) => c.checkId))]);
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
    const rule = await this.store.enabledRule(ruleId);
    if (!rule?.check_id) return true;
    const checkId = rule.check_id;
    return this.guarded(rule, async () => {
      if (WINDOW_CONDITIONS.includes(rule.condition)) return this.sweepRule(rule);
      const check = await this.store.checkState(checkId);
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
      const rules = await this.store.enabledRulesOfHeartbeat(id);
      const name = await this.store.heartbeatName(id);
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
    const recovered = await this.store.rulesOfRecoveredHeartbeats();
    for (const rule of recovered) await this.guarded(rule, () => this.resolve(rule, 'a ping arrived'));
  }

  /**
   * Heartbeat rules whose heartbeat is in their state with no alert: a failure ping puts a
   * heartbeat down without any flip the engine's clock sees, possibly in another process.
   */
  async fireDownHeartbeats(): Promise<void> {
    const rules = await this.store.heartbeatRulesToFire();
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
    const unopened = await this.store.alertsWithoutIncident(before);
    for (const { alert_id, description, metadata, ...rule } of unopened) {
      await this.guarded(rule, () => this.openIncident(rule, alert_id, description, JSON.parse(metadata)));
    }
    const open = await this.store.incidentsOpenBehindResolved(before);
    for (const { incident_id, ...rule } of open) {
      await this.guarded(rule, () => this.resolveIncident(rule, incident_id as string));
    }
  }

  /** Conditions over a window (uptime, certificate expiry), evaluated once a minute. */
  async sweep(): Promise<void> {
    const rules = await this.store.enabledRulesWith(WINDOW_CONDITIONS);
    for (const rule of rules) await this.guarded(rule, () => this.sweepRule(rule));
  }

  private async sweepRule(rule: AlertRulesTable): Promise<void> {
    const now = this.clock.now();
    const p = JSON.parse(rule.condition_parameters) as Record<string, number>;
    const checkId = rule.check_id as string;
    const recent = (limit: number) => this.store.recentResults(checkId, limit);
    if (rule.condition === 'consecutive_failures') {
      const count = p.count ?? 3;
      const runs = await recent(count);
      if (runs.length === 0) return;
      if (runs.length >= count && runs.every((r) => isDown(r.status))) {
        await this.fire(rule, `${await this.checkName(checkId)} failed ${count} runs in a row`, { count });
      } else if (runs[0] && !isDown(runs[0].status)) await this.resolve(rule, 'the check passes again');
      return;
    }
    if (rule.condition === 'uptime_below_threshold') {
      const window = (p.window_minutes ?? 60) * MINUTE;
      const threshold = p.threshold ?? 99;
      const rows = await this.store.resultsSince(checkId, now - window);
      if (rows.length === 0) return;
      const uptime = (rows.filter((r) => !isDown(r.status)).length / rows.length) * 100;
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

  private async checkName(id: string): Promise<string> {
    return (await this.store.checkState(id))?.name ?? id;
  }

  private async fire(
    rule: AlertRulesTable,
    description: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    const now = this.clock.now();
    const last = await this.store.latestAlert(rule.id);
    // Already firing: only what a crash may have cut short is left to do.
    if (last && last.status !== 'resolved') {
      if (rule.service_id && !last.incident_id && !last.suppressed_by)
        await this.openIncident(rule, last.id, description, metadata);
      return;
    }
    if (last && now - last.fired_at < rule.cooldown_period * 1000) return;
    const alert = { id: newId(), description, metadata, at: now };
    const silencer = await this.silencer(rule, now);
    if (silencer) return this.fireSilenced(rule, alert, silencer);
    // Built before the transaction: it reads the source's latest facts.
    const trigger = await this.trigger(rule, alert);
    if (!(await this.store.fire(rule, alert, trigger))) return; // another firing of this rule won
    const { id } = alert;
    this.log.info({ alert: id, rule: rule.id, description }, 'alert fired');
    if (rule.service_id) await this.openIncident(rule, id, description, metadata);
  }

  private async resolve(rule: AlertRulesTable, why: string): Promise<void> {
    if (rule.auto_resolve !== 1) return;
    const now = this.clock.now();
    const active = await this.store.latestAlert(rule.id);
    if (!active) return;
    if (active.status === 'resolved') {
      // Resolved before a crash cut the rest short: its incident may still be open.
      if (active.incident_id) await this.resolveIncident(rule, active.incident_id);
      return;
    }
    if (active.suppressed_by) {
      // Nobody heard it fire, so nobody hears it resolve.
      await this.store.resolveSilenced(active.id, now);
      this.log.info({ alert: active.id, rule: rule.id, why }, 'silenced alert resolved');
      return;
    }
    // Resolves go to wherever the triggers went, even if the rule's routing key has changed since.
    await this.store.resolve(rule, active.id, (dedupKey) => resolveEvent(dedupKey, this.events), now);
    this.log.info({ alert: active.id, rule: rule.id, why }, 'alert resolved');
    if (active.incident_id) await this.resolveIncident(rule, active.incident_id);
  }

  /**
   * What silences a rule's alerts at `now`: a maintenance window in effect on its service, else a
   * status-page maintenance under way over a component that follows its check.
   */
  private async silencer(rule: AlertRulesTable, now: number): Promise<Silencer | undefined> {
    if (rule.service_id) {
      const window = (await this.store.windowsInEffect([rule.service_id], now)).get(rule.service_id);
      if (window) return window;
    }
    if (rule.check_id)
      return (await this.store.statusMaintenanceInEffect([rule.check_id], now)).get(rule.check_id);
    return undefined;
  }

  /** An alert fired under maintenance: recorded with what silenced it, and nothing else. */
  private async fireSilenced(rule: AlertRulesTable, alert: Firing, silencer: Silencer): Promise<void> {
    if (!(await this.store.fireSilenced(rule, alert, silencer))) return; // another firing of this rule won
    this.log.info(
      { alert: alert.id, rule: rule.id, description: alert.description, silencer },
      'alert silenced by maintenance',
    );
  }

  /** The Events API trigger of a rule with a routing key, with its source's latest facts. */
  private async trigger(rule: AlertRulesTable, alert: Firing): Promise<RoutedEvent | undefined> {
    if (!rule.routing_key) return undefined;
    const source = await this.store.eventSource(rule);
    const event = triggerEvent(
      source,
      rule,
      { id: alert.id, description: alert.description, firedAt: alert.at, metadata: alert.metadata },
      this.events,
    );
    return { routingKey: rule.routing_key, event };
  }

  /**
   * Silenced alerts still firing once their maintenance is over (ended, deleted or completed):
   * heard now — channels, PagerDuty event, component status, incident — as a firing is.
   */
  async releaseSilenced(): Promise<void> {
    const now = this.clock.now();
    const silenced = await this.store.silencedAlerts();
    if (silenced.length === 0) return;
    // What still silences them, in two queries for all (a long window may hold many).
    const windows = await this.store.windowsInEffect(
      silenced.flatMap((r) => (r.service_id ? [r.service_id] : [])),
      now,
    );
    const pages = await this.store.statusMaintenanceInEffect(
      silenced.flatMap((r) => (r.check_id ? [r.check_id] : [])),
      now,
    );
    for (const { alert_id, description, metadata, fired_at, ...rule } of silenced) {
      if (rule.service_id && windows.has(rule.service_id)) continue;
      if (rule.check_id && pages.has(rule.check_id)) continue;
      await this.guarded(rule, async () => {
        const { suppressed_by: was, ...details } = JSON.parse(metadata) as Record<string, unknown>;
        const trigger = await this.trigger(rule, {
          id: alert_id,
          description,
          metadata: details,
          at: Number(fired_at),
        });
        const released = await this.store.release(rule, alert_id, details, trigger, now);
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

  private async resolveIncident(rule: AlertRulesTable, incidentId: string): Promise<void> {
    const status = await this.store.incidentStatus(incidentId);
    if (!status || status === 'resolved') return;
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
      urgency: urgencyOf(rule.severity),
      incidentKey: `vigil-alert:${rule.id}`,
      details: { alert_id: alertId, rule: rule.name, ...details },
      by: { type: 'service', id: rule.service_id as string },
    });
    const status = await this.store.linkIncident(alertId, id);
    // Resolved while the incident was being opened: it must not stay open behind the alert.
    if (status === 'resolved' && rule.auto_resolve === 1) {
      await this.incidents
        .resolve(id, { type: 'service', id: rule.service_id as string })
        .catch(() => undefined);
    }
  }
}

function urgencyOf(severity: Severity): 'high' | 'low' {
  return severity === 'critical' || severity === 'high' ? 'high' : 'low';
}

/**
 * Whether a check rule's condition holds in a status the check moved to; undefined when the
 * status says nothing of it. Conditions over several runs are the sweep's.
 */
function checkConditionHolds(rule: AlertRulesTable, status: CheckStatus): boolean | undefined {
  switch (rule.condition) {
    case 'check_failed':
      return isDown(status) ? true : status === 'degraded' ? undefined : false;
    case 'check_timeout':
      return status === 'timeout' ? true : status === 'failed' ? undefined : false;
    case 'check_degraded':
      return status === 'degraded';
    default:
      return undefined;
  }
}
