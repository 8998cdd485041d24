/**
 * The incidents port on PagerDuty. Writes carry the `From` header PagerDuty requires (the
 * credential's user, or PAGERDUTY_USER_EMAIL); the acting user is whoever that is.
 */
import type { Page } from '../../core/directory.js';
import { VigilError } from '../../core/errors.js';
import type {
  Incident,
  IncidentFilter,
  IncidentNote,
  IncidentsPort,
  LogEntry,
  PastIncident,
  RelatedIncident,
  TriggerInput,
} from '../../core/incidents.js';
import { pageOf } from './directory.js';
import { incident, logEntry, many, note, one, pastIncident, type Raw, relatedIncident } from './parse.js';
import { enc, type Session } from './session.js';

const OPEN = ['triggered', 'acknowledged'];

/** Features PagerDuty sells separately (past and related incidents) answer empty, as the seed's did. */
function unavailable(err: unknown): boolean {
  return err instanceof VigilError && ['FORBIDDEN', 'NOT_FOUND'].includes(err.code);
}

export class PagerDutyIncidents implements IncidentsPort {
  constructor(private readonly s: Session) {}

  async get(idOrNumber: string): Promise<Incident | undefined> {
    const body = await this.s.client.find<{ incident: Raw }>(`/incidents/${enc(idOrNumber)}`, {
      include: ['body'],
    });
    return body && incident(one(body, 'incident'));
  }

  async list(f: IncidentFilter): Promise<Page<Incident>> {
    const range = f.since || f.until ? { since: f.since, until: f.until } : { date_range: 'all' };
    const page = await this.s.client.list<Raw>(
      '/incidents',
      'incidents',
      {
        statuses: f.statuses,
        urgencies: f.urgencies,
        service_ids: f.serviceIds,
        team_ids: f.teamIds,
        ...range,
      },
      f.limit,
      f.offset,
    );
    return pageOf(page, incident);
  }

  async findOpen(serviceId: string, incidentKey: string): Promise<Incident | undefined> {
    const body = await this.s.client.get<{ incidents: Raw[] }>('/incidents', {
      incident_key: incidentKey,
      service_ids: [serviceId],
      statuses: OPEN,
      date_range: 'all',
    });
    const found = many(body, 'incidents')[0];
    return found && incident(found);
  }

  async trigger(input: TriggerInput): Promise<{ id: string; created: boolean }> {
    if (input.incidentKey) {
      const open = await this.findOpen(input.serviceId, input.incidentKey);
      if (open) return { id: open.id, created: false };
    }
    const body = await this.s.client.send<{ incident: Raw }>(
      'POST',
      '/incidents',
      {
        incident: {
          type: 'incident',
          title: input.title,
          service: { id: input.serviceId, type: 'service_reference' },
          // Not asked for: the service's incident_urgency_rule decides, as in PagerDuty's web app.
          ...(input.urgencyGiven !== false && { urgency: input.urgency }),
          ...(input.incidentKey && { incident_key: input.incidentKey }),
          ...(input.description && { body: { type: 'incident_body', details: input.description } }),
        },
      },
      await this.s.from(),
    );
    return { id: String(one(body, 'incident').id), created: true };
  }

  private async put(id: string, change: Record<string, unknown>): Promise<Incident> {
    const body = await this.s.client.send<{ incident: Raw }>(
      'PUT',
      `/incidents/${enc(id)}`,
      { incident: { type: 'incident_reference', ...change } },
      await this.s.from(),
    );
    return incident(one(body, 'incident'));
  }

  acknowledge(id: string): Promise<Incident> {
    return this.put(id, { status: 'acknowledged' });
  }

  resolve(id: string): Promise<Incident> {
    return this.put(id, { status: 'resolved' });
  }

  reassign(id: string, userIds: string[]): Promise<Incident> {
    return this.put(id, {
      assignments: userIds.map((u) => ({ assignee: { id: u, type: 'user_reference' } })),
    });
  }

  escalate(id: string, level: number): Promise<Incident> {
    return this.put(id, { escalation_level: level });
  }

  async snooze(id: string, seconds: number): Promise<Incident> {
    const body = await this.s.client.send<{ incident: Raw }>(
      'POST',
      `/incidents/${enc(id)}/snooze`,
      { duration: seconds },
      await this.s.from(),
    );
    return incident(one(body, 'incident'));
  }

  async addNote(id: string, n: { content: string }): Promise<IncidentNote> {
    const body = await this.s.client.send<{ note: Raw }>(
      'POST',
      `/incidents/${enc(id)}/notes`,
      { note: { content: n.content } },
      await this.s.from(),
    );
    return note(one(body, 'note'));
  }

  async notes(id: string): Promise<IncidentNote[]> {
    const body = await this.s.client.get<{ notes: Raw[] }>(`/incidents/${enc(id)}/notes`);
    return many(body, 'notes').map(note);
  }

  /** PagerDuty lists log entries newest first; the timeline reads oldest first, so all are read. */
  async timeline(id: string, limit: number, offset: number): Promise<Page<LogEntry>> {
    const all = await this.s.client.all<Raw>(`/incidents/${enc(id)}/log_entries`, 'log_entries', {});
    const entries = all.map(logEntry).sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { items: entries.slice(offset, offset + limit), more: entries.length > offset + limit };
  }

  async past(id: string, limit: number): Promise<PastIncident[]> {
    try {
      const body = await this.s.client.get<{ past_incidents: Raw[] }>(
        `/incidents/${enc(id)}/past_incidents`,
        {
          limit,
        },
      );
      return many(body, 'past_incidents')
        .map(pastIncident)
        .sort((a, b) => b.similarity_score - a.similarity_score);
    } catch (err) {
      if (unavailable(err)) return [];
      throw err;
    }
  }

  async related(id: string, limit: number): Promise<RelatedIncident[]> {
    try {
      const body = await this.s.client.get<{ related_incidents: Raw[] }>(
        `/incidents/${enc(id)}/related_incidents`,
      );
      return many(body, 'related_incidents').slice(0, limit).map(relatedIncident);
    } catch (err) {
      if (unavailable(err)) return [];
      throw err;
    }
  }
}
