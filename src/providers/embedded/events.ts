/**
 * Events API v2 ingestion on the embedded engine: a routing key names a service (by its
 * integration key); `trigger` opens an incident or joins the open one with the same dedup key,
 * `acknowledge` and `resolve` act on it, as the service. Answers with PagerDuty's bodies.
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

export type IngestOutcome = { status: 202; body: ProcessedBody } | { status: 400; body: InvalidEventBody };

export function createEventIngest(ports: { directory: DirectoryPort; incidents: IncidentsPort }) {
  return async function ingest(event: AlertEvent): Promise<IngestOutcome> {
    const service = await ports.directory.findServiceByIntegrationKey(event.routing_key);
    if (!service) return { status: 400, body: invalidEventBody(['Invalid routing key']) };
    const by = { type: 'service', id: service.id } as const;
    const dedupKey = event.dedup_key ?? newDedupKey();
    if (event.event_action === 'trigger' && event.payload) {
      const { payload } = event;
      const details = payload.custom_details;
      await ports.incidents.trigger({
        serviceId: service.id,
        title: payload.summary,
        urgency: normaliseSeverityToUrgency(payload.severity),
        incidentKey: dedupKey,
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
        by,
      });
    } else {
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
    }
    return { status: 202, body: processedBody(dedupKey) };
  };
}

export type EventIngest = ReturnType<typeof createEventIngest>;
