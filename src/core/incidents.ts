/**
 * The responder-incident domain (pages to on-call people, not status-page posts) and its port.
 * Shapes follow PagerDuty's field names, as the PagerDuty seed's parsers keep them. Incidents,
 * notes and log entries are each defined once, as a zod schema: their types derive from it, and
 * the tools' output schemas are these.
 */
import { z } from 'zod';
import type { Page } from './directory.js';

export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const URGENCIES = ['high', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];
/** An alert on an incident is triggered until it (or its incident) is resolved. */
export const INCIDENT_ALERT_STATUSES = ['triggered', 'resolved'] as const;
export type IncidentAlertStatus = (typeof INCIDENT_ALERT_STATUSES)[number];

/** A reference by id and name (PagerDuty's summary). */
export const refSchema = z.object({ id: z.string(), summary: z.string() });
export type Ref = z.infer<typeof refSchema>;

/** Who acted, as answers name it: the schema says its type is a string, the domain says which. */
const actorRefSchema = refSchema.extend({ type: z.string() });
export type ActorRef = Ref & { type: 'user_reference' | 'service_reference' };

export const incidentSchema = z.object({
  id: z.string(),
  type: z.literal('incident'),
  incident_number: z.number().int(),
  title: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  status: z.enum(INCIDENT_STATUSES),
  urgency: z.enum(URGENCIES),
  incident_key: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  last_status_change_at: z.string(),
  last_status_change_by: actorRefSchema.optional(),
  resolved_at: z.string().optional(),
  /** Set while an acknowledged incident is snoozed: when it triggers again. */
  snoozed_until: z.string().optional(),
  service: refSchema,
  escalation_policy: refSchema.optional(),
  teams: z.array(refSchema),
  assignments: z.array(z.object({ assignee: refSchema, at: z.string() })),
  acknowledgements: z.array(z.object({ acknowledger: refSchema, at: z.string() })),
  alert_counts: z.object({ triggered: z.number(), resolved: z.number(), all: z.number() }),
  body_details: z.object({}).loose().optional(),
  client_url: z.string().optional(),
});
/** The one narrowing: who last changed the status is a user or a service (ActorRef). */
export type Incident = Omit<z.infer<typeof incidentSchema>, 'last_status_change_by'> & {
  last_status_change_by?: ActorRef;
};

/** An incident as the tools answer it: `include` may add its notes and past and related incidents. */
export const incidentItemSchema = incidentSchema.extend({
  notes: z.array(z.object({}).loose()),
  past_incidents: z.array(z.object({}).loose()),
  related_incidents: z.array(z.object({}).loose()),
});

/** An earlier incident on the same service; PagerDuty tells only its id, title and time. */
export type PastIncident = Pick<Incident, 'id' | 'title' | 'created_at'> &
  Partial<Incident> & { similarity_score: number };

export type RelatedIncident = Incident & {
  relationship_type: string;
  relationship_metadata?: Record<string, unknown>;
};

/** One entry of an incident's timeline, PagerDuty's log entry shape. */
export const logEntrySchema = z.object({
  id: z.string(),
  type: z.string(),
  created_at: z.string(),
  summary: z.string(),
  agent: actorRefSchema.optional(),
  details: z.object({}).loose().optional(),
});
/** The one narrowing: the agent is a user or a service (ActorRef). */
export type LogEntry = Omit<z.infer<typeof logEntrySchema>, 'agent'> & { agent?: ActorRef };

export const incidentNoteSchema = z.object({
  id: z.string(),
  content: z.string(),
  created_at: z.string(),
  user: z.object({ id: z.string(), name: z.string() }).optional(),
  channel: z.object({ summary: z.string() }),
});
export type IncidentNote = z.infer<typeof incidentNoteSchema>;

/**
 * get_status_overview's one item: open incidents by status and urgency, and for each service they
 * hit, who its escalation policy pages first now. The tool composes it from the incidents and
 * schedules ports; no port answers it, so no type derives from it.
 */
export const statusOverviewSchema = z.object({
  generated_at: z.string(),
  open_incidents: z.object({
    total: z.number(),
    triggered: z.number(),
    acknowledged: z.number(),
    high: z.number(),
    low: z.number(),
  }),
  services: z.array(
    z.object({
      id: z.string(),
      summary: z.string(),
      open_incidents: z.number(),
      highest_urgency: z.enum(URGENCIES),
      oldest_open_at: z.string(),
      escalation_policy: refSchema,
      on_call_now: z.array(
        z.object({
          id: z.string(),
          summary: z.string(),
          escalation_level: z.number(),
          schedule: refSchema.optional(),
          until: z.string().nullable().optional(),
        }),
      ),
    }),
  ),
});

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
