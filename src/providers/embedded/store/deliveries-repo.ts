/**
 * The delivery outbox's store: messages queued in the transaction of their cause, claimed by
 * whichever process sends them (a claim names a token and lasts past the longest send), and
 * their outcome recorded only under that token. A claim that lapsed (its process died
 * mid-send) lets another process send again, with the same delivery id. Events API deliveries
 * of one dedup key go out in order: one waits while an earlier one is pending.
 */
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { claimRows } from './claims.js';
import { newId } from './ids.js';
import type { Database, DeliveriesTable, DeliveryStatus } from './schema.js';
import { type SubscriberNotice, subscriberNotices } from './status-subscriber-news.js';

/** Longer than a send can take (10 s), so a live sender never loses its claim mid-send. */
export const DELIVERY_CLAIM_MS = 60_000;

/** What a delivery is about and to whom; the rest of its row starts the same for every kind. */
export type NewDelivery = Pick<DeliveriesTable, 'kind' | 'address' | 'secret' | 'event'> &
  Partial<
    Pick<
      DeliveriesTable,
      | 'incident_id'
      | 'user_id'
      | 'level'
      | 'alert_id'
      | 'channel_id'
      | 'dedup_key'
      | 'seq'
      | 'body'
      | 'subscriber_id'
      | 'status_incident_id'
      | 'status_update_id'
      /** Later than `now` for a notification rule with a delay. */
      | 'next_attempt_at'
    >
  >;

/** A claimed delivery with what its message is built from. */
export interface DueDelivery extends DeliveriesTable {
  incident?: {
    number: number;
    title: string;
    status: string;
    urgency: string;
    client_url: string | null;
    service_id: string;
    service_name: string;
  };
  alert?: {
    severity: string;
    description: string;
    fired_at: number;
    incident_id: string | null;
    rule_id: string;
    rule_name: string;
    check_id: string | null;
    heartbeat_id: string | null;
  };
  /** A status-page subscriber's delivery: what its message is built from. */
  subscription?: SubscriberNotice;
}

export interface Outcome {
  id: string;
  status: DeliveryStatus;
  error: string | null;
  /** When to try again, for a delivery left pending. */
  retryAt: number;
  /** The mail server refused the address itself (a status-page subscriber's is then suspended). */
  rejected?: boolean;
}

/** Queues deliveries, due at `now` unless one says later; call it inside the transaction that records their cause. */
export async function queueDeliveries(
  trx: Kysely<Database>,
  rows: readonly NewDelivery[],
  now: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 50) {
    await trx
      .insertInto('deliveries')
      .values(
        rows.slice(i, i + 50).map((d) => ({
          incident_id: null,
          user_id: null,
          level: null,
          alert_id: null,
          channel_id: null,
          dedup_key: null,
          seq: null,
          body: null,
          subscriber_id: null,
          status_incident_id: null,
          status_update_id: null,
          ...d,
          id: newId(),
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: d.next_attempt_at ?? now,
          last_error: null,
          created_at: now,
          delivered_at: null,
          claimed_until: 0,
        })),
      )
      .execute();
  }
}

/**
 * Cancels the incident's pages to people not yet sent (waiting for a rule's delay or to be tried
 * again, and not claimed by a sender now): an acknowledged, resolved or reassigned incident needs no more of them. Call it in the
 * transaction that changes the incident; answers what it cancelled.
 */
export async function cancelPages(
  trx: Kysely<Database>,
  incidentId: string,
  now: number,
  reason: string,
  /** Only those due later than this (a rule's delay still running), when given. */
  dueAfter?: number,
): Promise<{ id: string; kind: string; user_id: string | null; next_attempt_at: number }[]> {
  const rows = await trx
    .updateTable('deliveries')
    .set({ status: 'cancelled', last_error: reason.slice(0, 500) })
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'pending')
    .where('user_id', 'is not', null)
    .where('claimed_until', '<=', now)
    .$if(dueAfter !== undefined, (q) => q.where('next_attempt_at', '>', dueAfter as number))
    .returning(['id', 'kind', 'user_id', 'next_attempt_at'])
    .execute();
  return rows.map((r) => ({ ...r, next_attempt_at: Number(r.next_attempt_at) }));
}

/** Not held back behind an earlier pending event of its dedup key (other deliveries have none). */
function notWaiting(eb: ExpressionBuilder<Database, 'deliveries'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('deliveries as earlier')
        .select('earlier.id')
        .whereRef('earlier.dedup_key', '=', 'deliveries.dedup_key')
        .whereRef('earlier.seq', '<', 'deliveries.seq')
        .where('earlier.status', '=', 'pending'),
    ),
  );
}

export class DeliveryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly postgres: boolean,
  ) {}

  /** Claims up to `batch` due deliveries no process holds, and loads what their messages need. */
  async claimDue(token: string, now: number, batch: number): Promise<DueDelivery[]> {
    const due = this.db
      .selectFrom('deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where('claimed_until', '<=', now)
      .where(notWaiting)
      .orderBy('next_attempt_at')
      .limit(batch);
    const claim = { token, until: now + DELIVERY_CLAIM_MS, postgres: this.postgres };
    const rows = await claimRows(this.db, 'deliveries', claim, due).returningAll().execute();
    if (rows.length === 0) return [];
    const incidentIds = [...new Set(rows.flatMap((r) => (r.incident_id ? [r.incident_id] : [])))];
    const alertIds = [...new Set(rows.flatMap((r) => (r.alert_id ? [r.alert_id] : [])))];
    const incidents = incidentIds.length
      ? await this.db
          .selectFrom('incidents')
          .innerJoin('services', 'services.id', 'incidents.service_id')
          .select([
            'incidents.id',
            'incidents.number',
            'incidents.title',
            'incidents.status',
            'incidents.urgency',
            'incidents.client_url',
            'services.id as service_id',
            'services.name as service_name',
          ])
          .where('incidents.id', 'in', incidentIds)
          .execute()
      : [];
    const alerts = alertIds.length
      ? await this.db
          .selectFrom('alerts')
          .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
          .select([
            'alerts.id',
            'alerts.severity',
            'alerts.description',
            'alerts.fired_at',
            'alerts.incident_id',
            'alert_rules.id as rule_id',
            'alert_rules.name as rule_name',
            'alert_rules.check_id',
            'alert_rules.heartbeat_id',
          ])
          .where('alerts.id', 'in', alertIds)
          .execute()
      : [];
    const notices = await subscriberNotices(this.db, rows);
    const incidentOf = new Map(incidents.map(({ id, ...i }) => [id, i]));
    const alertOf = new Map(alerts.map(({ id, ...a }) => [id, a]));
    return rows
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at)
      .map((r) => {
        const incident = r.incident_id ? incidentOf.get(r.incident_id) : undefined;
        const alert = r.alert_id ? alertOf.get(r.alert_id) : undefined;
        const subscription = notices.get(r.id);
        return {
          ...r,
          ...(incident && { incident }),
          ...(alert && { alert }),
          ...(subscription && { subscription }),
        };
      });
  }

  /**
   * Records outcomes under the claim `token`, with what each settled delivery leaves behind
   * (`settled`, in the same transaction); answers the ids recorded. An outcome whose claim
   * lapsed is not recorded: another process owns that delivery now.
   */
  async record(
    token: string,
    now: number,
    outcomes: readonly Outcome[],
    settled: (trx: Transaction<Database>, recorded: Outcome[]) => Promise<void>,
  ): Promise<void> {
    if (outcomes.length === 0) return;
    // One transaction records the lot: one commit for a burst of pages, not two per page.
    await this.db.transaction().execute(async (trx) => {
      const recorded: Outcome[] = [];
      for (const o of outcomes) {
        const { numUpdatedRows } = await trx
          .updateTable('deliveries')
          .set((eb) => ({
            status: o.status,
            attempts: eb('attempts', '+', 1),
            next_attempt_at: o.retryAt,
            last_error: o.error?.slice(0, 500) ?? null,
            delivered_at: o.status === 'delivered' ? now : null,
            claim_token: null,
            claimed_until: 0,
          }))
          .where('id', '=', o.id)
          .where('claim_token', '=', token)
          .executeTakeFirst();
        if (numUpdatedRows > 0n) recorded.push(o);
      }
      await settled(trx, recorded);
    });
  }

  /** When the next delivery falls due; undefined when none waits. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'pending')
      .where(notWaiting)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }
}

/** Alert channels that delivered at `now` (the Events API kind is not a channel row). */
export async function touchChannels(trx: Kysely<Database>, channelIds: readonly string[], now: number) {
  if (channelIds.length === 0) return;
  await trx.updateTable('alert_channels').set({ last_used_at: now }).where('id', 'in', channelIds).execute();
}
