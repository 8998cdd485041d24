/**
 * Sends alert notifications to alert channels and Events API v2 events to PagerDuty, each
 * delivery on its own, retried with backoff like incident pages, and recorded. Events with one
 * dedup key go out in the order they were queued: one waits while an earlier one is pending.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from '../../../core/log.js';
import { claimDeliveries, notWaiting } from '../store/delivery-claims.js';
import { type Database, EVENTS_API_KIND } from '../store/schema.js';
import { type Channel, type Outgoing, PermanentDeliveryError } from './channels.js';
import { mapLimit } from './map-limit.js';

const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;

/** When the next alert delivery falls due; undefined when none waits. */
export async function nextAlertDelivery(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db
    .selectFrom('alert_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('status', '=', 'pending')
    .where(notWaiting)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

/** Sends the alert deliveries that are due; answers how many it took. */
export async function deliverAlerts(
  db: Kysely<Database>,
  channels: Partial<Record<string, Channel>>,
  log: Logger,
  now: number,
  batch: number,
  postgres: boolean,
): Promise<number> {
  const token = randomBytes(12).toString('base64url');
  const ids = await claimDeliveries(db, 'alert_deliveries', { token, now, batch, postgres });
  if (ids.length === 0) return 0;
  const due = await db
    .selectFrom('alert_deliveries')
    .innerJoin('alerts', 'alerts.id', 'alert_deliveries.alert_id')
    .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
    .select([
      'alert_deliveries.id',
      'alert_deliveries.event',
      'alert_deliveries.kind',
      'alert_deliveries.address',
      'alert_deliveries.secret',
      'alert_deliveries.attempts',
      'alert_deliveries.channel_id',
      'alert_deliveries.body',
      'alerts.id as alert_id',
      'alerts.severity',
      'alerts.description',
      'alerts.fired_at',
      'alerts.incident_id',
      'alert_rules.id as rule_id',
      'alert_rules.name as rule_name',
      'alert_rules.check_id',
      'alert_rules.heartbeat_id',
    ])
    .where('alert_deliveries.id', 'in', ids)
    .orderBy('alert_deliveries.next_attempt_at')
    .execute();
  const outcomes = await mapLimit(due, 50, async (d) => {
    const channel = channels[d.kind];
    if (!channel)
      return {
        id: d.id,
        channel: d.channel_id,
        ok: false,
        final: true,
        error: `No ${d.kind} channel on this server.`,
      };
    const sentAt = new Date(now).toISOString();
    // An event's body was built when it was queued: it goes out as it is.
    const message: Outgoing = d.body ? eventMessage(d.id, d.event, d.body, sentAt) : alertMessage(d, sentAt);
    try {
      await channel.send({ address: d.address, secret: d.secret }, message);
      return { id: d.id, channel: d.channel_id, ok: true, final: true, error: null };
    } catch (err) {
      const attempts = d.attempts + 1;
      log.warn(
        { delivery: d.id, kind: d.kind, attempts, err: (err as Error).message },
        'alert notification failed',
      );
      return {
        id: d.id,
        channel: d.channel_id,
        ok: false,
        final: err instanceof PermanentDeliveryError || attempts >= MAX_ATTEMPTS,
        error: (err as Error).message,
      };
    }
  });
  if (outcomes.length) {
    await db.transaction().execute(async (trx) => {
      for (const [i, o] of outcomes.entries()) {
        const attempts = (due[i]?.attempts ?? 0) + 1;
        // Only under our claim: if it lapsed, another process owns this delivery now.
        const recorded = await trx
          .updateTable('alert_deliveries')
          .set({
            claim_token: null,
            claimed_until: 0,
            status: o.ok ? 'delivered' : o.final ? 'failed' : 'pending',
            attempts,
            next_attempt_at: now + FIRST_RETRY_MS * 2 ** (attempts - 1),
            last_error: o.error?.slice(0, 500) ?? null,
            delivered_at: o.ok ? now : null,
          })
          .where('id', '=', o.id)
          .where('claim_token', '=', token)
          .executeTakeFirst();
        if (recorded.numUpdatedRows > 0n && o.ok && o.channel !== EVENTS_API_KIND)
          await trx
            .updateTable('alert_channels')
            .set({ last_used_at: now })
            .where('id', '=', o.channel)
            .execute();
      }
    });
  }
  return due.length;
}

interface DueAlert {
  id: string;
  event: string;
  alert_id: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  description: string;
  fired_at: number;
  check_id: string | null;
  heartbeat_id: string | null;
  incident_id: string | null;
}

/** An alert notification as every channel sends it. */
function alertMessage(d: DueAlert, sentAt: string): Outgoing {
  const fired = d.event === 'alert_fired';
  const headline = `[${d.severity}] ${fired ? 'Alert' : 'Resolved'}: ${d.description}`;
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    text: headline,
    payload: {
      event: d.event,
      alert: {
        id: d.alert_id,
        rule_id: d.rule_id,
        rule_name: d.rule_name,
        severity: d.severity,
        description: d.description,
        fired_at: new Date(d.fired_at).toISOString(),
        check_id: d.check_id,
        heartbeat_id: d.heartbeat_id,
        incident_id: d.incident_id,
      },
      sent_at: sentAt,
      text: headline,
    },
    subject: `[Vigil] ${headline}`,
    body: [
      headline,
      '',
      `Rule: ${d.rule_name}`,
      ...(d.check_id ? [`Check: ${d.check_id}`] : []),
      ...(d.heartbeat_id ? [`Heartbeat: ${d.heartbeat_id}`] : []),
      ...(d.incident_id
        ? [`Incident: ${d.incident_id} (get_incidents {"incident_id": "${d.incident_id}"})`]
        : []),
      '',
      `(${d.event} at ${sentAt})`,
    ].join('\n'),
  };
}

/** An Events API v2 event: only its payload is sent (the events channel adds the routing key). */
function eventMessage(id: string, event: string, body: string, sentAt: string): Outgoing {
  return { id, event, sent_at: sentAt, payload: JSON.parse(body), text: body, subject: event, body };
}
