/**
 * One pass of the embedded engine: work off the outbox (status changes to evaluate, rules to
 * compare with the current state), escalate the incidents whose level ran out, move heartbeats
 * that went quiet, and deliver due notifications — each channel on its own, so a failing one
 * never holds up the others — retrying failures with backoff. Work that several processes may
 * share is claimed; the sweeps that compare the whole store with what should be run in the
 * process that holds the engine lease only (see runner.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { Alerting } from '../alerting/alerting.js';
import { claimDeliveries } from '../store/delivery-claims.js';
import type { EngineEvents } from '../store/engine-events.js';
import { escalateDue, wakeSnoozed } from '../store/escalation-state.js';
import type { HeartbeatRepository } from '../store/heartbeats-repo.js';
import { logEntry } from '../store/incident-log.js';
import type { Database, NotificationDeliveriesTable } from '../store/schema.js';
import { deliverAlerts, nextAlertDelivery } from './alert-delivery.js';
import type { Channel, Outgoing } from './channels.js';
import { mapLimit } from './map-limit.js';
import type { StatusAutomation } from './status-automation.js';

const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
/** Deliveries taken per round, and sent at once. */
const BATCH = 500;
const CONCURRENCY = 100;
/** Rounds in one pass while work keeps coming (a burst of due escalations, say). */
const MAX_ROUNDS = 20;
/** How often conditions over a window (uptime, certificate expiry) are evaluated. */
const SWEEP_MS = 60_000;
/** An outbox fact is held this long by the process working it; one whose work failed waits this long. */
const EVENT_CLAIM_MS = 30_000;
const EVENT_RETRY_MS = 10_000;
const EVENT_MAX_ATTEMPTS = 10;
/** A firing or resolve younger than this may still be under way; older, what is missing is completed. */
const CUT_SHORT_GRACE_MS = 30_000;

export interface PassOptions {
  /** This process holds the engine lease: it also runs the sweeps over the whole store. */
  sweeps: boolean;
}

export interface PassResult {
  startedAt: number;
  /** The pass stopped with work still due (a long burst): run the next one at once. */
  more: boolean;
}

export class Engine {
  private running: Promise<PassResult> | undefined;
  private lastSweep = 0;
  private waker: (() => void) | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly channels: Partial<Record<string, Channel>>,
    private readonly heartbeats: HeartbeatRepository,
    private readonly alerting: Alerting,
    private readonly status: StatusAutomation,
    private readonly events: EngineEvents,
    private readonly postgres: boolean,
  ) {}

  /** One pass; concurrent calls share the pass under way rather than overlap. */
  tick(opts: PassOptions = { sweeps: true }): Promise<PassResult> {
    this.running ??= this.pass(opts).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once the pass under way, if any, has finished. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Who runs passes (the lease holder's scheduler) asks to be told of new work here. */
  onWork(waker: (() => void) | undefined): void {
    this.waker = waker;
  }

  /** New work was written in this process (an incident opened): the scheduler runs a pass soon. */
  nudge(): void {
    this.waker?.();
  }

  /** When the next escalation, retry or snooze falls due; undefined when nothing waits. */
  async nextDue(): Promise<number | undefined> {
    const [escalation, delivery, snooze, heartbeat, alert, status, event] = await Promise.all([
      this.db
        .selectFrom('incident_escalations')
        .select((eb) => eb.fn.min('next_at').as('at'))
        .where('state', '=', 'active')
        .executeTakeFirst(),
      this.db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst(),
      this.db
        .selectFrom('incidents')
        .select((eb) => eb.fn.min('snoozed_until').as('at'))
        .where('status', '=', 'acknowledged')
        .executeTakeFirst(),
      this.db
        .selectFrom('heartbeats')
        .select((eb) => eb.fn.min('check_at').as('at'))
        .executeTakeFirst(),
      nextAlertDelivery(this.db),
      this.status.nextDue(),
      this.events.nextDue(),
    ]);
    const times = [
      escalation?.at,
      delivery?.at,
      snooze?.at,
      heartbeat?.at,
      alert,
      status,
      event,
      this.lastSweep + SWEEP_MS,
    ].filter((t) => t !== null && t !== undefined);
    return times.length ? Math.min(...times.map(Number)) : undefined;
  }

  private async pass(opts: PassOptions): Promise<PassResult> {
    const startedAt = this.clock.now();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock.now();
      const worked = await this.workEvents(now);
      const woken = await wakeSnoozed(this.db, now, BATCH);
      if (woken) this.log.info({ woken }, 'snoozed incidents triggered again');
      // An escalation that fails is logged and retried next pass; pages already queued still go out.
      const { escalated, more } = await escalateDue(this.db, now, BATCH).catch((err: unknown) => {
        this.log.error({ err }, 'an escalation step failed');
        return { escalated: 0, more: false };
      });
      if (escalated) this.log.info({ escalated }, 'incidents escalated');
      const flips = await this.heartbeats.evaluateDue(now, BATCH);
      for (const f of flips) this.log.info({ heartbeat: f.id, ...f.flip }, 'heartbeat state changed');
      await this.alerting.onHeartbeatFlips(flips);
      if (opts.sweeps) await this.sweeps(now);
      const delivered = await this.deliverDue(now);
      const alerted = await deliverAlerts(this.db, this.channels, this.log, now, BATCH, this.postgres);
      const busy = [worked, woken, delivered, flips.length, alerted].some((n) => n >= BATCH);
      if (!busy && !more) return { startedAt, more: false };
    }
    return { startedAt, more: true };
  }

  /**
   * The whole store against what it should be, in one process: heartbeat alerts whose
   * heartbeat moved without a flip seen here, firings and resolves a crash cut short, window
   * conditions once a minute, status-page components and maintenance.
   */
  private async sweeps(now: number): Promise<void> {
    await this.alerting.fireDownHeartbeats();
    await this.alerting.resolveRecoveredHeartbeats();
    await this.alerting.completeCutShort(CUT_SHORT_GRACE_MS);
    const sweep = now - this.lastSweep >= SWEEP_MS;
    if (sweep) {
      this.lastSweep = now;
      await this.alerting.sweep();
    }
    // Status pages: linked components whose delay is over, maintenance due to start or end.
    await this.status.run(now, sweep).catch((err: unknown) => {
      this.log.error({ err }, 'status page automation failed');
    });
  }

  /**
   * Works off a batch of the outbox: check status changes (alert rules, status-page components)
   * and rules to compare with the current state. A fact whose work failed is tried again later.
   */
  private async workEvents(now: number): Promise<number> {
    const token = randomBytes(12).toString('base64url');
    const claimed = await this.events.claim(token, now, EVENT_CLAIM_MS, BATCH);
    if (claimed.length === 0) return 0;
    const changes = claimed.flatMap((c) =>
      c.event.kind === 'check_changed' ? [{ ...c, change: c.event }] : [],
    );
    const failedChecks = await this.alerting.onCheckChanges(changes.map((c) => c.change));
    const statusOk = await this.status.onCheckChanges(changes.map((c) => c.change)).then(
      () => true,
      (err: unknown) => {
        this.log.error({ err }, 'status page component update failed');
        return false;
      },
    );
    const done: string[] = [];
    for (const c of claimed) {
      const ok =
        c.event.kind === 'check_changed'
          ? statusOk && !failedChecks.has(c.event.checkId)
          : await this.alerting.onRuleChanged(c.event.ruleId);
      if (ok) done.push(c.id);
      else if (
        (await this.events.failed(c.id, token, now + EVENT_RETRY_MS, EVENT_MAX_ATTEMPTS)) === 'dropped'
      )
        this.log.error({ event: c.event }, `gave up on an engine event after ${EVENT_MAX_ATTEMPTS} attempts`);
    }
    await this.events.done(done, token);
    return claimed.length;
  }

  /** Sends the deliveries that are due, each on its own; answers how many it took. */
  private async deliverDue(now: number): Promise<number> {
    const token = randomBytes(12).toString('base64url');
    const ids = await claimDeliveries(this.db, 'notification_deliveries', {
      token,
      now,
      batch: BATCH,
      postgres: this.postgres,
    });
    if (ids.length === 0) return 0;
    const due = await this.db
      .selectFrom('notification_deliveries')
      .innerJoin('incidents', 'incidents.id', 'notification_deliveries.incident_id')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select([
        'notification_deliveries.id',
        'notification_deliveries.event',
        'notification_deliveries.level',
        'notification_deliveries.kind',
        'notification_deliveries.address',
        'notification_deliveries.secret',
        'notification_deliveries.attempts',
        'notification_deliveries.user_id',
        'incidents.id as incident_id',
        'incidents.number',
        'incidents.title',
        'incidents.status',
        'incidents.urgency',
        'incidents.client_url',
        'services.id as service_id',
        'services.name as service_name',
      ])
      .where('notification_deliveries.id', 'in', ids)
      .orderBy('notification_deliveries.next_attempt_at')
      .execute();
    const outcomes = await mapLimit(due, CONCURRENCY, (d) => this.attempt(d, now));
    // One transaction records the lot: one commit for a burst of pages, not two per page.
    if (outcomes.length) {
      await this.db.transaction().execute(async (trx) => {
        for (const { id, set, note } of outcomes) {
          // Only under our claim: if it lapsed, another process owns this delivery now.
          const recorded = await trx
            .updateTable('notification_deliveries')
            .set({ ...set, claim_token: null, claimed_until: 0 })
            .where('id', '=', id)
            .where('claim_token', '=', token)
            .executeTakeFirst();
          if (note && recorded.numUpdatedRows > 0n)
            await this.note(trx, note.delivery, note.summary, note.status);
        }
      });
    }
    return due.length;
  }

  /** Sends one delivery; answers what to record of it. Never throws. */
  private async attempt(d: DueDelivery, now: number): Promise<Outcome> {
    const channel = this.channels[d.kind];
    if (!channel) {
      const error = `No ${d.kind} channel on this server yet.`;
      return {
        id: d.id,
        set: { status: 'unsupported', last_error: error },
        note: { delivery: d, summary: `Could not notify by ${d.kind}: ${error}`, status: 'unsupported' },
      };
    }
    const message = incidentMessage(d, now);
    try {
      await channel.send({ address: d.address, secret: d.secret }, message);
      return {
        id: d.id,
        set: {
          status: 'delivered',
          attempts: d.attempts + 1,
          delivered_at: new Date(this.clock.now()).toISOString(),
          last_error: null,
        },
        note: { delivery: d, summary: `Notified by ${d.kind} (${d.event})`, status: 'delivered' },
      };
    } catch (err) {
      const attempts = d.attempts + 1;
      const failed = attempts >= MAX_ATTEMPTS;
      const reason = (err as Error).message;
      this.log.warn({ delivery: d.id, kind: d.kind, attempts, err: reason }, 'notification failed');
      return {
        id: d.id,
        set: {
          status: failed ? 'failed' : 'pending',
          attempts,
          next_attempt_at: now + FIRST_RETRY_MS * 2 ** (attempts - 1),
          last_error: reason.slice(0, 500),
        },
        ...(failed && {
          note: {
            delivery: d,
            summary: `Could not notify by ${d.kind} after ${attempts} attempts: ${reason}`,
            status: 'failed',
          },
        }),
      };
    }
  }

  private note(trx: Transaction<Database>, d: DueDelivery, summary: string, status: string) {
    const at = new Date(this.clock.now()).toISOString();
    return logEntry(trx, d.incident_id, 'notify_log_entry', at, undefined, summary, {
      user_id: d.user_id,
      channel: d.kind,
      delivery_id: d.id,
      status,
    });
  }
}

type DueDelivery = Pick<
  NotificationDeliveriesTable,
  'id' | 'event' | 'level' | 'kind' | 'address' | 'secret' | 'attempts' | 'user_id' | 'incident_id'
> & {
  number: number;
  title: string;
  status: string;
  urgency: string;
  client_url: string | null;
  service_id: string;
  service_name: string;
};

interface Outcome {
  id: string;
  set: Partial<NotificationDeliveriesTable>;
  note?: { delivery: DueDelivery; summary: string; status: string };
}

/** An incident page as every channel sends it. */
function incidentMessage(d: DueDelivery, now: number): Outgoing {
  const sentAt = new Date(now).toISOString();
  const text = `[#${d.number}] ${d.title} (${d.service_name}, ${d.urgency} urgency) — acknowledge with acknowledge_incident {"incident_id": "${d.incident_id}"}`;
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    text,
    payload: {
      event: d.event,
      incident: {
        id: d.incident_id,
        incident_number: d.number,
        title: d.title,
        status: d.status,
        urgency: d.urgency,
        service: { id: d.service_id, summary: d.service_name },
      },
      level: d.level + 1,
      user: { id: d.user_id },
      sent_at: sentAt,
      ...(d.client_url && { link: d.client_url }),
      text,
    },
    subject: `[Vigil] #${d.number} ${d.title}`,
    body: [
      d.title,
      '',
      `Service: ${d.service_name}`,
      `Urgency: ${d.urgency}`,
      `Status: ${d.status}`,
      `Escalation level: ${d.level + 1}`,
      ...(d.client_url ? [`Link: ${d.client_url}`] : []),
      '',
      'To acknowledge, ask your agent, or call the MCP tool:',
      `  acknowledge_incident {"incident_id": "${d.incident_id}"}`,
      '',
      `(${d.event} at ${sentAt})`,
    ].join('\n'),
  };
}
