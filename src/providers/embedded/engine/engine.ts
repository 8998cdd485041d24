/**
 * The embedded engine's loop, run only by the process holding the engine lease: escalate the
 * incidents whose level ran out, then deliver due notifications — each channel on its own, so a
 * failing one never holds up the others — retrying failures with backoff.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { escalateDue, wakeSnoozed } from '../store/escalation-state.js';
import { logEntry } from '../store/incident-log.js';
import type { Database } from '../store/schema.js';
import type { Channel, Notification } from './channels.js';

const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
const BATCH = 100;

export class Engine {
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly channels: Partial<Record<string, Channel>>,
  ) {}

  /** One pass; concurrent calls share the pass under way rather than overlap. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once the pass under way, if any, has finished. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<void> {
    const now = this.clock.now();
    const woken = await wakeSnoozed(this.db, now, BATCH);
    if (woken) this.log.info({ woken }, 'snoozed incidents triggered again');
    const escalated = await escalateDue(this.db, now, BATCH);
    if (escalated) this.log.info({ escalated }, 'incidents escalated');
    await this.deliverDue(now);
  }

  private async deliverDue(now: number): Promise<void> {
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
      .where('notification_deliveries.status', '=', 'pending')
      .where('notification_deliveries.next_attempt_at', '<=', now)
      .orderBy('notification_deliveries.next_attempt_at')
      .limit(BATCH)
      .execute();
    await Promise.all(
      due.map(async (d) => {
        const channel = this.channels[d.kind];
        if (!channel) {
          const error = `No ${d.kind} channel on this server yet.`;
          await this.db
            .updateTable('notification_deliveries')
            .set({ status: 'unsupported', last_error: error })
            .where('id', '=', d.id)
            .execute();
          await this.note(d, `Could not notify by ${d.kind}: ${error}`, 'unsupported');
          return;
        }
        const message: Notification = {
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
          sent_at: new Date(now).toISOString(),
          ...(d.client_url && { link: d.client_url }),
          text: `[#${d.number}] ${d.title} (${d.service_name}, ${d.urgency} urgency) — acknowledge with acknowledge_incident {"incident_id": "${d.incident_id}"}`,
        };
        try {
          await channel.send({ address: d.address, secret: d.secret }, message);
          await this.db
            .updateTable('notification_deliveries')
            .set({
              status: 'delivered',
              attempts: d.attempts + 1,
              delivered_at: new Date(this.clock.now()).toISOString(),
              last_error: null,
            })
            .where('id', '=', d.id)
            .execute();
          await this.note(d, `Notified by ${d.kind} (${d.event})`, 'delivered');
        } catch (err) {
          const attempts = d.attempts + 1;
          const failed = attempts >= MAX_ATTEMPTS;
          this.log.warn(
            { delivery: d.id, kind: d.kind, attempts, err: (err as Error).message },
            'notification failed',
          );
          await this.db
            .updateTable('notification_deliveries')
            .set({
              status: failed ? 'failed' : 'pending',
              attempts,
              next_attempt_at: now + FIRST_RETRY_MS * 2 ** (attempts - 1),
              last_error: (err as Error).message.slice(0, 500),
            })
            .where('id', '=', d.id)
            .execute();
          if (failed)
            await this.note(
              d,
              `Could not notify by ${d.kind} after ${attempts} attempts: ${(err as Error).message}`,
              'failed',
            );
        }
      }),
    );
  }

  private note(
    d: { incident_id: string; user_id: string; kind: string; id: string },
    summary: string,
    status: string,
  ) {
    const at = new Date(this.clock.now()).toISOString();
    return logEntry(this.db, d.incident_id, 'notify_log_entry', at, undefined, summary, {
      user_id: d.user_id,
      channel: d.kind,
      delivery_id: d.id,
      status,
    });
  }
}
