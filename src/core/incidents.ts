/**
 * The responder-incident domain (pages to on-call people, not status-page posts) and its port.
 * Shapes follow PagerDuty's field names, as the PagerDuty seed's parsers keep them.
 */
import type { Page } from './directory.js';

export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const URGENCIES = ['high', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];
/** An alert on an incident is triggered until it (or its incident) is resolved. */
export const INCIDENT_ALERT_STATUSES = ['triggered', 'resolved'] as const;
export type IncidentAlertStatus = (typeof INCIDENT_ALERT_STATUSES)[number];

export interface Ref {
  id: string;
  summary: string;
}

export interface Incident {
  id: string;
  type: 'incident';
  incident_number: number;
  title: string;
  summary: string;
  description?: string;
  status: IncidentStatus;
  urgency: Urgency;
  incident_key?: string;
  created_at: string;
  updated_at: string;
  last_status_change_at: string;
  last_status_change_by?: Ref & { type: 'user_reference' | 'service_reference' };
  resolved_at?: string;
  /** Set while an acknowledged incident is snoozed: when it triggers again. */
  snoozed_until?: string;
  service: Ref;
  escalation_policy?: Ref;
  teams: Ref[];
  assignments: { assignee: Ref; at: string }[];
  acknowledgements: { acknowledger: Ref; at: string }[];
  alert_counts: { triggered: number; resolved: number; all: number };
  body_details?: Record<string, unknown>;
  client_url?: string;
}

/** An earlier incident on the same service; PagerDuty tells only its id, title and time. */
export type PastIncident = Pick<Incident, 'id' | 'title' | 'created_at'> &
  Partial<Incident> & { similarity_score: number };

export type RelatedIncident = Incident & {
  relationship_type: string;
  relationship_metadata?: Record<string, unknown>;
};

/** One entry of an incident's timeline, PagerDuty's log entry shape. */
export interface LogEntry {
  id: string;
  type: string;
  created_at: string;
  summary: string;
  agent?: Ref & { type: 'user_reference' | 'service_reference' };
  details?: Record<string, unknown>;
}

export interface IncidentNote {
  id: string;
  content: string;
  created_at: string;
  user?: { id: string; name: string };
  channel: { summary: string };
}

/**
 * Who acted: a user, or a service (an integration resolving its own alert). `via` says how, when
 * not through an MCP tool: 'link' for the responder page a page's link opens, 'Slack' and
 * 'Telegram' for a chat message's buttons.
 */
export type Actor =
  | { type: 'user'; id: string; via?: 'link' | 'Slack' | 'Telegram' | undefined }
  | { type: 'service'; id: string };

export interface AlertInput {
  summary: string;
  source: string;
  severity: string;
  component?: string | undefined;
  group?: string | undefined;
  class?: string | undefined;
  custom_details?: unknown;
  links?: unknown[];
  images?: unknown[];
  client?: string | undefined;
  client_url?: string | undefined;
}

/** One alert on an incident, as it came (an Events API payload or a check's alert). */
export interface IncidentAlert {
  id: string;
  status: IncidentAlertStatus;
  created_at: string;
  resolved_at?: string;
  body: Partial<AlertInput>;
}

export interface TriggerInput {
  serviceId: string;
  title: string;
  urgency: Urgency;
  /**
   * The caller asked for `urgency` (trigger_incident's parameter): it wins over the service's
   * `incident_urgency_rule`. Otherwise (an alert's severity, a default) a constant rule decides.
   */
  urgencyGiven?: boolean | undefined;
  description?: string | undefined;
  /** Deduplication key: a trigger with the key of an open incident on the service joins it. */
  incidentKey?: string | undefined;
  details?: Record<string, unknown> | undefined;
  alert?: AlertInput | undefined;
  by: Actor;
}

export interface IncidentFilter {
  statuses: IncidentStatus[];
  urgencies: Urgency[];
  serviceIds?: string[] | undefined;
  teamIds?: string[] | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
  offset: number;
}

export interface IncidentsPort {
  get(idOrNumber: string): Promise<Incident | undefined>;
  list(filter: IncidentFilter): Promise<Page<Incident>>;
  /** Opens an incident, or adds the alert to the open one with the same key; says which. */
  trigger(input: TriggerInput): Promise<{ id: string; created: boolean }>;
  acknowledge(id: string, by: Actor): Promise<Incident>;
  /** Assigns to these users and pages them; the policy's escalation stops. */
  reassign(id: string, userIds: string[], by: Actor): Promise<Incident>;
  /** Pages a level of the incident's escalation policy now (1-based), continuing from there. */
  escalate(id: string, level: number, by: Actor): Promise<Incident>;
  /** An acknowledged incident, triggered again after `seconds`. */
  snooze(id: string, seconds: number, by: Actor): Promise<Incident>;
  resolve(id: string, by: Actor): Promise<Incident>;
  /** The open incident on a service with this deduplication key, if any. */
  findOpen(serviceId: string, incidentKey: string): Promise<Incident | undefined>;
  addNote(
    id: string,
    note: { userId?: string | undefined; content: string; channel: string },
  ): Promise<IncidentNote>;
  notes(id: string): Promise<IncidentNote[]>;
  /** The incident's latest alerts, newest first (the responder page shows the latest). */
  alerts?(id: string, limit: number): Promise<IncidentAlert[]>;
  /** Everything that happened to the incident, oldest first. */
  timeline(id: string, limit: number, offset: number): Promise<Page<LogEntry>>;
  /** Earlier incidents on the same service, most alike first. */
  past(id: string, limit: number): Promise<PastIncident[]>;
  /** Incidents open at the same time on services of the same teams. */
  related(id: string, limit: number): Promise<RelatedIncident[]>;
}
