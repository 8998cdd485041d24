/**
 * Events API v2 ingestion on the embedded engine: a routing key names a service (by its
 * integration key); `trigger` opens an incident or joins the open one with the same dedup key,
 * `acknowledge` and `resolve` act on it, as the service. Answers with PagerDuty's bodies.
 * Triggers are group-committed (see group-commit.ts and store/trigger-batch.ts).
 *
 * A trigger for a service under a maintenance window opens nothing and pages nobody: it is
 * recorded (suppressed_events), and the 202 says so with a `suppressed` field next to
 * PagerDuty's own. Acknowledge and resolve act as always. Once the window is over, triggers open
 * incidents again; one silenced earlier does not (senders repeat a trigger that still holds).
 */
import type { DirectoryPort } from '../../core/directory.js';
import { ConflictError } from '../../core/errors.js';
import {
  type AlertEvent,
  type InvalidEventBody,
  invalidEventBody,
  newDedupKey,
  normaliseSeverityToUrgency,
  type ProcessedBody,
  processedBody,
} from '../../core/events-v2.js';
import type { IncidentsPort } from '../../core/incidents.js';
import { GroupCommit } from './group-commit.js';
import type { Silencer } from './store/maintenance-silencers.js';
import type { MaintenanceWindowRepository } from './store/maintenance-windows-repo.js';
import { isUniqueViolation } from './store/sql-errors.js';
import type { RoutedTrigger, RoutedTriggerResult } from './store/trigger-batch.js';

/** PagerDuty's 202 body, and for a trigger a maintenance window silenced, what silenced it. */
export type AcceptedBody = ProcessedBody & {
  suppressed?: { reason: string; service: { id: string; summary: string }; maintenance_window: Silencer };
};

export type IngestOutcome = { status: 202; body: AcceptedBody } | { status: 400; body: InvalidEventBody };

/** A trigger's outcome: the incident it opened or joined, or the window that silenced it. */
type TriggerOutcome =
  | RoutedTriggerResult
  | { silenced: { serviceId: string; serviceName: string; window: Silencer } };

/** What ingest needs of the incidents store: the port, and triggers in bulk by routing key. */
export type IngestIncidents = IncidentsPort & {
  triggerBatch(items: readonly RoutedTrigger[]): Promise<RoutedTriggerResult[]>;
};

const INVALID_ROUTING_KEY = (): IngestOutcome => ({
  status: 400,
  body: invalidEventBody(['Invalid routing key']),
});

export function createEventIngest(ports: {
  directory: DirectoryPort;
  incidents: IngestIncidents;
  maintenance?: Pick<MaintenanceWindowRepository, 'silencedByRoutingKey' | 'recordSuppressed'> | undefined;
}) {
  /** One trigger in its own transaction: the path of an event whose batch failed. */
  const triggerAlone = async (item: RoutedTrigger): Promise<RoutedTriggerResult> => {
    const service = await ports.directory.findServiceByIntegrationKey(item.routingKey);
    if (!service) return undefined;
    const { routingKey: _, ...input } = item;
    return ports.incidents.trigger({
      ...input,
      serviceId: service.id,
      by: { type: 'service', id: service.id },
    });
  };
  const batch = async (items: readonly RoutedTrigger[]) =>
    (await ports.incidents.triggerBatch(items)).map(
      (value): PromiseSettledResult<RoutedTriggerResult> => ({ status: 'fulfilled', value }),
    );
  // Triggers arriving while a batch commits share the next batch's transaction. Every caller is
  // answered only once its batch has committed, so a 202 is always durable. (Two batches at once,
  // to overlap one's commit with the next one's statements on PostgreSQL, was slower in A/B runs.)
  const commit = async (
    items: readonly RoutedTrigger[],
  ): Promise<PromiseSettledResult<RoutedTriggerResult>[]> => {
    if (items.length === 0) return [];
    try {
      return await batch(items);
    } catch (err) {
      // Nothing of the batch was stored. A concurrent transaction (another process on the same
      // PostgreSQL, or a trigger_incident call) that opened one of its keys has committed by the
      // time the violation is raised: run once more, the batch joins that incident.
      if (isUniqueViolation(err)) {
        try {
          return await batch(items);
        } catch {
          // one by one, below
        }
      }
    }
    // One by one, a bad event fails alone.
    const outcomes: PromiseSettledResult<RoutedTriggerResult>[] = [];
    for (const item of items) {
      try {
        outcomes.push({ status: 'fulfilled', value: await triggerAlone(item) });
      } catch (reason) {
        outcomes.push({ status: 'rejected', reason });
      }
    }
    return outcomes;
  };
  // One lookup per batch for the routing keys under a window; those triggers are recorded, not committed.
  const triggers = new GroupCommit<RoutedTrigger, TriggerOutcome>(async (items) => {
    const silenced = ports.maintenance
      ? await ports.maintenance.silencedByRoutingKey(items.map((i) => i.routingKey))
      : new Map<string, never>();
    if (silenced.size === 0) return commit(items);
    const quiet = items.filter((i) => silenced.has(i.routingKey));
    await ports.maintenance?.recordSuppressed(
      quiet.map((i) => {
        const s = silenced.get(i.routingKey) as { serviceId: string; window: Silencer };
        return {
          serviceId: s.serviceId,
          windowId: s.window.id,
          dedupKey: i.incidentKey,
          summary: i.title,
          payload: i.alert,
        };
      }),
    );
    const committed = await commit(items.filter((i) => !silenced.has(i.routingKey)));
    return items.map((i): PromiseSettledResult<TriggerOutcome> => {
      const s = silenced.get(i.routingKey);
      return s
        ? { status: 'fulfilled', value: { silenced: s } }
        : (committed.shift() as PromiseSettledResult<TriggerOutcome>);
    });
  });

  return async function ingest(event: AlertEvent): Promise<IngestOutcome> {
    const dedupKey = event.dedup_key ?? newDedupKey();
    if (event.event_action === 'trigger' && event.payload) {
      const { payload } = event;
      const details = payload.custom_details;
      const result = await triggers.submit({
        routingKey: event.routing_key,
        incidentKey: dedupKey,
        title: payload.summary,
        urgency: normaliseSeverityToUrgency(payload.severity),
        details:
          typeof details === 'object' && details !== null && !Array.isArray(details)
            ? (details as Record<string, unknown>)
            : undefined,
        alert: {
          ...payload,
          links: event.links,
          images: event.images,
          client: event.client,
          client_url: event.client_url,
        },
      });
      if (!result) return INVALID_ROUTING_KEY();
      if ('silenced' in result) {
        const { serviceId, serviceName, window } = result.silenced;
        const suppressed = {
          reason: `Service ${serviceName} is in maintenance${window.end_time ? ` until ${window.end_time}` : ''}: the event was recorded; no incident was opened and nobody was paged.`,
          service: { id: serviceId, summary: serviceName },
          maintenance_window: window,
        };
        return { status: 202, body: { ...processedBody(dedupKey), suppressed } };
      }
      return { status: 202, body: processedBody(dedupKey) };
    }
    const service = await ports.directory.findServiceByIntegrationKey(event.routing_key);
    if (!service) return INVALID_ROUTING_KEY();
    const by = { type: 'service', id: service.id } as const;
    // PagerDuty accepts acknowledge and resolve for keys with no open incident, and does nothing;
    // likewise when a concurrent event resolved the incident between our read and our write.
    const open = await ports.incidents.findOpen(service.id, dedupKey);
    try {
      if (open && event.event_action === 'acknowledge' && open.status === 'triggered') {
        await ports.incidents.acknowledge(open.id, by);
      }
      if (open && event.event_action === 'resolve') await ports.incidents.resolve(open.id, by);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return { status: 202, body: processedBody(dedupKey) };
  };
}

export type EventIngest = ReturnType<typeof createEventIngest>;
