/**
 * Events API triggers in bulk: a batch of events, each naming its service by routing key, in
 * one transaction with set-wise statements — one routing-key lookup, one open-incident lookup,
 * one insert each of incidents, alerts and alert log entries — so that ingest costs a handful
 * of statements (and one commit) per batch rather than per event. Dedup is exactly that of
 * IncidentRepository.trigger: a trigger joins the open incident of its service with its key,
 * including one opened earlier in the same batch.
 *
 * A batch fails or commits as a whole. The caller retries the events of a failed batch one by
 * one (a concurrent transaction that opened the same key breaks the partial unique index here,
 * as it does for a single trigger).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import { incidentUrgency } from '../../../core/directory.js';
import type { AlertInput, Urgency } from '../../../core/incidents.js';
import { startEscalation } from './escalation-state.js';
import { newId } from './ids.js';
import { logEntry, nextLogSeq } from './incident-log.js';
import type { Database, IncidentAlertsTable, IncidentLogTable, IncidentsTable } from './schema.js';

export interface RoutedTrigger {
  /** The service's integration key. */
  routingKey: string;
  incidentKey: string;
  title: string;
  urgency: Urgency;
  details?: Record<string, unknown> | undefined;
  alert: AlertInput;
}

/** The incident the trigger opened or joined; undefined when no service has its routing key. */
export type RoutedTriggerResult = { id: string; created: boolean } | undefined;

interface Service {
  id: string;
  escalation_policy_id: string | null;
  /** Its incident_urgency_rule's urgency, which wins over the one an event's severity gives. */
  incident_urgency: string | null;
}

function logRow(
  incidentId: string,
  type: 'trigger_log_entry' | 'alert_log_entry',
  at: string,
  service: Service,
  summary: string,
  urgency?: Urgency,
): IncidentLogTable {
  return {
    id: newId(),
    incident_id: incidentId,
    seq: nextLogSeq(),
    type,
    at,
    actor_type: 'service',
    actor_id: service.id,
    summary,
    details: urgency ? JSON.stringify({ urgency }) : null,
  };
}

export async function triggerBatch(
  db: Kysely<Database>,
  items: readonly RoutedTrigger[],
  clock: Clock = systemClock,
): Promise<RoutedTriggerResult[]> {
  if (items.length === 0) return [];
  const nowMs = clock.now();
  const at = new Date(nowMs).toISOString();
  return db.transaction().execute(async (trx) => {
    const services = await servicesByKey(trx, unique(items.map((i) => i.routingKey)));
    const open = await openIncidents(trx, items, services);

    const results: RoutedTriggerResult[] = [];
    const opened: { id: string; item: RoutedTrigger; service: Service }[] = [];
    const openedIds = new Set<string>();
    // Incidents this batch opens on a service with an escalation policy: their entries go through
    // logEntry, after the trigger entry and before escalation's, in that order.
    const escalating = new Map<string, { item: RoutedTrigger; service: Service; joins: RoutedTrigger[] }>();
    const log: IncidentLogTable[] = [];
    const touched = new Set<string>();
    const alerts: IncidentAlertsTable[] = [];
    for (const item of items) {
      const service = services.get(item.routingKey);
      if (!service) {
        results.push(undefined);
        continue;
      }
      const key = pairKey(service.id, item.incidentKey);
      let id = open.get(key);
      const created = id === undefined;
      if (id === undefined) {
        id = newId();
        open.set(key, id);
        opened.push({ id, item, service });
        openedIds.add(id);
        if (service.escalation_policy_id) escalating.set(id, { item, service, joins: [] });
        else
          log.push(
            logRow(
              id,
              'trigger_log_entry',
              at,
              service,
              `Triggered: ${item.title}`,
              urgencyOf(item, service),
            ),
          );
      } else {
        const escalated = escalating.get(id);
        if (escalated) escalated.joins.push(item);
        else log.push(logRow(id, 'alert_log_entry', at, service, alertAdded(item)));
        if (!openedIds.has(id)) touched.add(id);
      }
      alerts.push({
        id: newId(),
        incident_id: id,
        status: 'triggered',
        payload: JSON.stringify(item.alert),
        created_at: at,
        resolved_at: null,
      });
      results.push({ id, created });
    }

    if (opened.length > 0) {
      const first = (await nextNumbers(trx, opened.length)) - opened.length + 1;
      await trx
        .insertInto('incidents')
        .values(opened.map(({ id, item, service }, n) => incidentRow(id, first + n, item, service, at)))
        .execute();
    }
    for (const [id, { item, service, joins }] of escalating) {
      await logEntry(trx, id, 'trigger_log_entry', at, by(service), `Triggered: ${item.title}`, {
        urgency: urgencyOf(item, service),
      });
      await startEscalation(trx, id, service.escalation_policy_id as string, nowMs);
      for (const join of joins) await logEntry(trx, id, 'alert_log_entry', at, by(service), alertAdded(join));
    }
    if (touched.size > 0) {
      await trx
        .updateTable('incidents')
        .set({ updated_at: at })
        .where('id', 'in', [...touched].sort())
        .execute();
    }
    if (log.length > 0) await trx.insertInto('incident_log').values(log).execute();
    if (alerts.length > 0) await trx.insertInto('incident_alerts').values(alerts).execute();
    return results;
  });
}

/**
 * Takes `count` incident numbers from the counter row in one statement and answers the last;
 * the row stays locked until commit, so concurrent transactions never share a number.
 */
export async function nextNumbers(trx: Transaction<Database>, count: number): Promise<number> {
  const row = await trx
    .insertInto('sequences')
    .values({ name: 'incident_number', value: count })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet((eb) => ({ value: eb(eb.ref('sequences.value'), '+', count) })),
    )
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

async function servicesByKey(trx: Transaction<Database>, keys: string[]): Promise<Map<string, Service>> {
  const rows = await trx
    .selectFrom('services')
    .select(['id', 'escalation_policy_id', 'integration_key', 'incident_urgency'])
    .where('integration_key', 'in', keys)
    .execute();
  return new Map(
    rows.map((r) => [
      r.integration_key,
      { id: r.id, escalation_policy_id: r.escalation_policy_id, incident_urgency: r.incident_urgency },
    ]),
  );
}

/**
 * Open incidents for the batch's (service, key) pairs, by pairKey. The pairs are a VALUES list
 * joined on the partial unique index, so each is one index probe on both stores whatever the
 * statistics say (`service_id in (…) and incident_key in (…)` lets PostgreSQL, with statistics
 * from a young table, scan every open incident of the service).
 */
async function openIncidents(
  trx: Transaction<Database>,
  items: readonly RoutedTrigger[],
  services: Map<string, Service>,
): Promise<Map<string, string>> {
  const pairs = new Map<string, [string, string]>();
  for (const item of items) {
    const service = services.get(item.routingKey);
    if (service) pairs.set(pairKey(service.id, item.incidentKey), [service.id, item.incidentKey]);
  }
  if (pairs.size === 0) return new Map();
  const wanted = sql.join([...pairs.values()].map(([serviceId, key]) => sql`(${serviceId}, ${key})`));
  const { rows } = await sql<{ id: string; service_id: string; incident_key: string }>`
    with wanted (service_id, incident_key) as (values ${wanted})
    select i.id, i.service_id, i.incident_key
    from wanted w
    join incidents i on i.service_id = w.service_id and i.incident_key = w.incident_key
    where i.status <> 'resolved'`.execute(trx);
  return new Map(rows.map((r) => [pairKey(r.service_id, r.incident_key), r.id]));
}

function incidentRow(
  id: string,
  number: number,
  item: RoutedTrigger,
  service: Service,
  at: string,
): IncidentsTable {
  return {
    id,
    number,
    title: item.title,
    description: null,
    status: 'triggered',
    urgency: urgencyOf(item, service),
    service_id: service.id,
    escalation_policy_id: service.escalation_policy_id,
    incident_key: item.incidentKey,
    details: item.details ? JSON.stringify(item.details) : null,
    client_url: item.alert.client_url ?? null,
    created_at: at,
    updated_at: at,
    last_status_change_at: at,
    last_status_change_by_type: 'service',
    last_status_change_by_id: service.id,
    resolved_at: null,
    snoozed_until: null,
  };
}

const by = (service: Service) => ({ type: 'service', id: service.id }) as const;
const urgencyOf = (item: RoutedTrigger, service: Service) => incidentUrgency(service.incident_urgency, item);
const alertAdded = (item: RoutedTrigger) => `Alert added: ${item.alert.summary}`;
const pairKey = (serviceId: string, incidentKey: string) => JSON.stringify([serviceId, incidentKey]);
const unique = <T>(values: T[]): T[] => [...new Set(values)];
