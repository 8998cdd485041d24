/**
 * One pass of the embedded engine: work off the outbox of facts (status changes to evaluate, rules
 * to compare with the current state), escalate the incidents whose level ran out, move heartbeats
 * that went quiet, and send what the delivery outbox holds (outbox.ts). Work that several
 * processes may share is claimed; the sweeps that compare the whole store with what it should be
 * run only in the process that holds the engine lease (see runner.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { Alerting } from '../alerting/alerting.js';
import type { EngineEvents } from '../store/engine-events.js';
import { escalateDue, nextDue as nextEscalationDue, wakeSnoozed } from '../store/escalation-state.js';
import { queueHandoffNotices } from '../store/handoff-notices.js';
import type { HeartbeatRepository } from '../store/heartbeats-repo.js';
import type { Database } from '../store/schema.js';
import type { Outbox } from './outbox.js';
import type { StatusAutomation } from './status-automation.js';

/** Outbox facts, escalations, heartbeats and deliveries taken per round. */
const BATCH = 500;
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
    private readonly outbox: Outbox,
    private readonly heartbeats: HeartbeatRepository,
    private readonly alerting: Alerting,
    private readonly status: StatusAutomation,
    private readonly events: EngineEvents,
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

  /** When the next escalation, snooze, heartbeat, delivery or outbox fact falls due; undefined when nothing waits. */
  async nextDue(): Promise<number | undefined> {
    const times = await Promise.all([
      nextEscalationDue(this.db),
      this.outbox.nextDue(),
      this.heartbeats.nextDue(),
      this.status.nextDue(),
      this.events.nextDue(),
    ]);
    // PostgreSQL answers bigint minimums as strings.
    const due = [...times, this.lastSweep + SWEEP_MS].filter((t) => t !== undefined).map(Number);
    return due.length ? Math.min(...due) : undefined;
  }

  private async pass(opts: PassOptions): Promise<PassResult> {
    const startedAt = this.clock.now();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock.now();
      // Heartbeats that went late or down by the clock, each with its fact in the outbox.
      const flips = await this.heartbeats.evaluateDue(now, BATCH);
      for (const f of flips) this.log.info({ heartbeat: f.id, ...f.flip }, 'heartbeat state changed');
      const worked = await this.workEvents(now);
      const woken = await wakeSnoozed(this.db, now, BATCH);
      if (woken) this.log.info({ woken }, 'snoozed incidents triggered again');
      // An escalation that fails is logged and retried next pass; pages already queued still go out.
      const { escalated, more } = await escalateDue(this.db, now, BATCH).catch((err: unknown) => {
        this.log.error({ err }, 'an escalation step failed');
        return { escalated: 0, more: false };
      });
      if (escalated) this.log.info({ escalated }, 'incidents escalated');
      if (opts.sweeps) await this.sweeps(now);
      const delivered = await this.outbox.deliverDue(now, BATCH);
      const busy = [worked, woken, delivered, flips.length].some((n) => n >= BATCH);
      if (!busy && !more) return { startedAt, more: false };
    }
    return { startedAt, more: true };
  }

  /**
   * The whole store against what it should be, in one process: heartbeat alerts whose
   * heartbeat moved without a flip seen here, firings and resolves a crash cut short, window
   * conditions once a minute, status-page components and maintenance, on-call handoff notices
   * once a minute.
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
    // On-call handoff notices due: each shift's once, whichever process sweeps (its key is in the store).
    if (sweep) {
      const handoffs = await queueHandoffNotices(this.db, now).catch((err: unknown) => {
        this.log.error({ err }, 'queueing on-call handoff notices failed');
        return 0;
      });
      if (handoffs) this.log.info({ handoffs }, 'on-call handoff notices queued');
    }
  }

  /**
   * Works off a batch of the outbox: check status changes (alert rules, status-page components),
   * heartbeat status changes (alert rules) and rules to compare with the current state. A fact whose work failed is tried again later.
   */
  private async workEvents(now: number): Promise<number> {
    const token = randomBytes(12).toString('base64url');
    const claimed = await this.events.claim(token, now, EVENT_CLAIM_MS, BATCH);
    if (claimed.length === 0) return 0;
    const changes = claimed.flatMap((c) =>
      c.event.kind === 'check_changed' ? [{ ...c, change: c.event }] : [],
    );
    const failedChecks = await this.alerting.onCheckChanges(changes.map((c) => c.change));
    const failedHeartbeats = await this.alerting.onHeartbeatFlips(
      claimed.flatMap(({ event: e }) =>
        e.kind === 'heartbeat_changed'
          ? [{ id: e.heartbeatId, flip: { from: e.from, to: e.to, reason: e.reason } }]
          : [],
      ),
    );
    const statusOk = await this.status.onCheckChanges(changes.map((c) => c.change)).then(
      () => true,
      (err: unknown) => {
        this.log.error({ err }, 'status page component update failed');
        return false;
      },
    );
    const done: string[] = [];
    for (const { event: e, ...c } of claimed) {
      let ok: boolean;
      if (e.kind === 'check_changed') ok = statusOk && !failedChecks.has(e.checkId);
      else if (e.kind === 'heartbeat_changed') ok = !failedHeartbeats.has(e.heartbeatId);
      else ok = await this.alerting.onRuleChanged(e.ruleId);
      if (ok) done.push(c.id);
      else if (
        (await this.events.failed(c.id, token, now + EVENT_RETRY_MS, EVENT_MAX_ATTEMPTS)) === 'dropped'
      )
        this.log.error({ event: e }, `gave up on an engine event after ${EVENT_MAX_ATTEMPTS} attempts`);
    }
    await this.events.done(done, token);
    return claimed.length;
  }
}
