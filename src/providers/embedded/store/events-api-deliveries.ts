/**
 * The Events API v2 deliveries of alert rules with a PagerDuty routing key: each event queued as
 * an alert delivery (kind EVENTS_API_KIND, addressed to the routing key) in the transaction that
 * changes its alert, numbered after the events already queued for its dedup key so the engine
 * sends one key's events in order; and what an alert's source looks like when its trigger is built.
 */
import type { Kysely } from 'kysely';
import { queueDeliveries } from './deliveries-repo.js';
import type { Db } from './repo-helpers.js';
import {
  type AlertRulesTable,
  type CheckResultsTable,
  type ChecksTable,
  type Database,
  EVENTS_API_KIND,
  type HeartbeatsTable,
} from './schema.js';

/** What the store needs of an event; the rest of it is the delivery's body as given. */
export interface EventsApiEvent {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
}

/**
 * Queues an event for `routingKey`, after every event already queued for its dedup key: the
 * engine sends one key's events in that order, so a resolve never overtakes its trigger.
 */
export async function queueEventsApiEvent(
  trx: Kysely<Database>,
  alertId: string,
  routingKey: string,
  event: EventsApiEvent,
  now: number,
): Promise<void> {
  const last = await trx
    .selectFrom('deliveries')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('dedup_key', '=', event.dedup_key)
    .executeTakeFirst();
  await queueDeliveries(
    trx,
    [
      {
        alert_id: alertId,
        channel_id: EVENTS_API_KIND,
        event: event.event_action === 'trigger' ? 'alert_fired' : 'alert_resolved',
        kind: EVENTS_API_KIND,
        address: routingKey,
        secret: null,
        dedup_key: event.dedup_key,
        seq: Number(last?.seq ?? -1) + 1,
        body: JSON.stringify(event),
      },
    ],
    now,
  );
}

/**
 * The resolves for an alert's triggers: to the routing key and dedup key each trigger went to,
 * even if the rule's routing key has changed since. `resolveOf` builds the event for a key.
 */
export async function queueEventsApiResolves(
  trx: Kysely<Database>,
  alertId: string,
  resolveOf: (dedupKey: string) => EventsApiEvent,
  now: number,
): Promise<void> {
  const triggers = await trx
    .selectFrom('deliveries')
    .select(['address', 'dedup_key'])
    .where('alert_id', '=', alertId)
    .where('kind', '=', EVENTS_API_KIND)
    .where('event', '=', 'alert_fired')
    .execute();
  for (const t of triggers) {
    await queueEventsApiEvent(trx, alertId, t.address, resolveOf(t.dedup_key as string), now);
  }
}

/** A check as a trigger describes it, with its latest scheduled result. */
export interface CheckSource {
  kind: 'check';
  check:
    | (Pick<ChecksTable, 'id' | 'name' | 'type' | 'url' | 'host' | 'port' | 'status'> & {
        group_name: string | null;
      })
    | undefined;
  result:
    | Pick<CheckResultsTable, 'status' | 'response_time' | 'error_message' | 'metadata' | 'created_at'>
    | undefined;
}

/** A heartbeat as a trigger describes it. */
export interface HeartbeatSource {
  kind: 'heartbeat';
  heartbeat:
    | Pick<
        HeartbeatsTable,
        | 'id'
        | 'name'
        | 'status'
        | 'period_seconds'
        | 'cron'
        | 'time_zone'
        | 'grace_seconds'
        | 'last_ping_at'
        | 'next_expected_at'
      >
    | undefined;
}

/** What the rule watches, as it is now (undefined parts: deleted, or never run). */
export async function eventSourceOf(
  db: Db,
  rule: Pick<AlertRulesTable, 'check_id' | 'heartbeat_id'>,
): Promise<CheckSource | HeartbeatSource> {
  if (!rule.check_id) {
    const heartbeat = await db
      .selectFrom('heartbeats')
      .select([
        'id',
        'name',
        'status',
        'period_seconds',
        'cron',
        'time_zone',
        'grace_seconds',
        'last_ping_at',
        'next_expected_at',
      ])
      .where('id', '=', rule.heartbeat_id as string)
      .executeTakeFirst();
    return { kind: 'heartbeat', heartbeat };
  }
  const checkId = rule.check_id;
  const [check, result] = await Promise.all([
    db
      .selectFrom('checks')
      .leftJoin('check_groups', 'check_groups.id', 'checks.group_id')
      .select([
        'checks.id',
        'checks.name',
        'checks.type',
        'checks.url',
        'checks.host',
        'checks.port',
        'checks.status',
        'check_groups.name as group_name',
      ])
      .where('checks.id', '=', checkId)
      .executeTakeFirst(),
    db
      .selectFrom('check_results')
      .select(['status', 'response_time', 'error_message', 'metadata', 'created_at'])
      .where('check_id', '=', checkId)
      .where('result_type', '=', 'regular')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { kind: 'check', check, result };
}
