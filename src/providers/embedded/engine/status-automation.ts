/**
 * What moves status pages without a person, on the process that runs the engine: components
 * linked to checks follow them (on each check status change, and a sweep that applies the
 * changes whose delay is over), and maintenance starts and completes on time.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../../core/log.js';
import type { StatusChange } from '../store/check-runs.js';
import { applyDue, componentsOfChecks, nextDue, reconcile } from '../store/component-checks.js';
import { moveDueMaintenance, nextMaintenanceDue } from '../store/maintenance.js';
import type { Database } from '../store/schema.js';
import { forgetSubscribeRequests } from '../store/status-subscribe-limits.js';
import { nextReminderDue, remindDue } from '../store/status-subscriber-reminders.js';
import { forgetUnconfirmed } from '../store/status-subscriptions-repo.js';

export class StatusAutomation {
  /** Evaluations one after another, so an older change never lands after a newer one. */
  private serial: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    /** Told after every change made here, as the status-pages repository's writes tell it. */
    private readonly changed: () => void = () => {},
  ) {}

  /** Check status changes: the components linked to those checks start (or drop) their wait. */
  onCheckChanges(changes: readonly StatusChange[]): Promise<void> {
    this.serial = this.serial
      .catch(() => undefined)
      .then(async () => {
        const ids = await componentsOfChecks(this.db, [...new Set(changes.map((c) => c.checkId))]);
        if (ids.length === 0) return;
        const at = Math.max(...changes.map((c) => c.at));
        const flips = await reconcile(this.db, at, ids);
        for (const f of flips) this.log.info(f, 'status-page component follows its checks');
        if (flips.length > 0) this.changed();
      });
    return this.serial;
  }

  /** Resolves once the evaluations started so far have finished. */
  async idle(): Promise<void> {
    await this.serial.catch(() => undefined);
  }

  /**
   * What is due at `now`: component waits that are over, maintenance moves. With `full`, every
   * linked component is compared with its checks too, in case a change was missed (a crash
   * between recording a run and evaluating it).
   */
  async run(now: number, full = false): Promise<number> {
    const flips = full ? await reconcile(this.db, now) : [];
    flips.push(...(await applyDue(this.db, now)));
    for (const f of flips) this.log.info(f, 'status-page component follows its checks');
    const moves = await moveDueMaintenance(this.db, now);
    for (const m of moves) this.log.info(m, 'maintenance moved on time');
    // Subscribers: maintenance reminders due; once a minute, addresses never confirmed and
    // subscribe counts out of their window are forgotten.
    const reminded = await remindDue(this.db, now);
    if (reminded) this.log.info({ reminded }, 'maintenance reminders queued for subscribers');
    if (full) {
      await forgetUnconfirmed(this.db, now);
      await forgetSubscribeRequests(this.db, now);
    }
    if (flips.length + moves.length > 0) this.changed();
    return flips.length + moves.length;
  }

  /** When the next component wait ends or maintenance move falls due. */
  async nextDue(): Promise<number | undefined> {
    const times = (
      await Promise.all([nextDue(this.db), nextMaintenanceDue(this.db), nextReminderDue(this.db)])
    ).filter((t) => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }
}
