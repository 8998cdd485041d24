/**
 * Status pages: public pages with components, and the incidents and maintenance posted on them.
 * Field names, statuses and vocabularies are Pingera's (which are Atlassian Statuspage's), so the
 * seed's tools and Statuspage widgets both understand them. Maintenance is an incident with
 * `scheduled_for`/`scheduled_until` and the maintenance statuses.
 */
import { z } from 'zod';
import type { Page } from './directory.js';

export const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const ALL_INCIDENT_STATUSES = [...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES] as const;
export type IncidentStatus = (typeof ALL_INCIDENT_STATUSES)[number];

export const INCIDENT_IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

export const PAGE_LANGUAGES = ['ru', 'en'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/** Statuses in which an incident is over: it no longer sets its components' statuses. */
export const CLOSED_STATUSES: readonly IncidentStatus[] = ['resolved', 'completed'];
/** Statuses in which an incident sets its components' statuses (maintenance once it started). */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = [
  'investigating',
  'identified',
  'monitoring',
  'in_progress',
  'verifying',
];

/** Worse is later: the status a group or a page shows is its worst component's. */
export const SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/**
 * The status a check's own status calls for on a component linked to it: down (failed or
 * timeout) is a major outage, degraded is degraded performance, ok is operational. A check that
 * is paused or has not run yet says nothing.
 */
export const CHECK_COMPONENT_STATUS: Partial<Record<string, ComponentStatus>> = {
  ok: 'operational',
  degraded: 'degraded_performance',
  failed: 'major_outage',
  timeout: 'major_outage',
};

/** How long a linked component waits before it follows its checks, unless set. */
export const DEFAULT_AUTOMATION_DELAY_SECONDS = 60;
export const MAX_CHECKS_PER_COMPONENT = 20;

export function worst(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let out: ComponentStatus = 'operational';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[out]) out = s;
  return out;
}

export const statusPageSchema = z.object({
  id: z.string(),
  name: z.string(),
  subdomain: z.string().nullable(),
  domain: z.string().nullable(),
  url: z.string().nullable(),
  language: z.enum(PAGE_LANGUAGES),
  headline: z.string().nullable(),
  page_description: z.string().nullable(),
  time_zone: z.string(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  viewers_must_be_team_members: z.boolean(),
  hidden_from_search: z.boolean(),
  allow_page_subscribers: z.boolean(),
  allow_incident_subscribers: z.boolean(),
  allow_email_subscribers: z.boolean(),
  allow_sms_subscribers: z.boolean(),
  allow_webhook_subscribers: z.boolean(),
  allow_rss_atom_feeds: z.boolean(),
  support_url: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StatusPage = z.infer<typeof statusPageSchema>;

/** The settings a page has beside its name (the seed's create_page parameters). */
export type PageSettings = Omit<StatusPage, 'id' | 'name' | 'created_at' | 'updated_at'>;

export type PageInput = { name: string } & Partial<PageSettings>;

export const componentSchema = z.object({
  id: z.string(),
  page_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  group: z.boolean(),
  group_id: z.string().nullable(),
  only_show_if_degraded: z.boolean(),
  position: z.number().int(),
  showcase: z.boolean(),
  start_date: z.string().nullable(),
  /** What the page shows: an active incident's status for it wins; a group shows its worst member. */
  status: z.enum(COMPONENT_STATUSES),
  /** The status set on the component itself, shown when no active incident names it. */
  own_status: z.string(),
  /** Checks it follows: its own status is theirs (worst wins), `automation_delay_seconds` late. */
  check_ids: z.array(z.string()),
  automation_delay_seconds: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** Narrowed: its own status is one of COMPONENT_STATUSES too (answers list it as a string). */
export type Component = Omit<z.infer<typeof componentSchema>, 'own_status'> & { own_status: ComponentStatus };

export interface ComponentInput {
  name: string;
  description?: string | null | undefined;
  group?: boolean | undefined;
  group_id?: string | null | undefined;
  only_show_if_degraded?: boolean | undefined;
  position?: number | undefined;
  showcase?: boolean | undefined;
  start_date?: string | null | undefined;
  status?: ComponentStatus | undefined;
  check_ids?: string[] | undefined;
  automation_delay_seconds?: number | undefined;
}

/** One day of a component's uptime from its linked checks' daily rollups (the worst check's). */
export interface CheckedDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Percent of runs up (ok or degraded). */
  uptime: number;
  total: number;
  degraded: number;
  /** Runs failed or timed out. */
  down: number;
}

export const incidentUpdateSchema = z.object({
  id: z.string(),
  incident_id: z.string(),
  status: z.enum(ALL_INCIDENT_STATUSES),
  body: z.string(),
  components: z.record(z.string(), z.enum(COMPONENT_STATUSES)),
  deliver_notifications: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type IncidentUpdate = z.infer<typeof incidentUpdateSchema>;

/** The scheduling fields of maintenance, as Pingera names them. */
export const maintenanceFieldsSchema = z.object({
  scheduled_for: z.string().nullable(),
  scheduled_until: z.string().nullable(),
  scheduled_remind_prior: z.boolean(),
  scheduled_auto_in_progress: z.boolean(),
  scheduled_auto_completed: z.boolean(),
  auto_transition_to_maintenance_state: z.boolean(),
  auto_transition_to_operational_state: z.boolean(),
  auto_transition_deliver_notifications_at_start: z.boolean(),
  auto_transition_deliver_notifications_at_end: z.boolean(),
  reminder_intervals: z.string().nullable().describe('Hours, e.g. "[3, 6, 12]".'),
});
export type MaintenanceFields = z.infer<typeof maintenanceFieldsSchema>;

// Statuses are plain strings here: the input schemas list the vocabularies, once.
export const statusIncidentSchema = z.object({
  id: z.string(),
  page_id: z.string(),
  name: z.string(),
  status: z.string(),
  body: z.string().nullable(),
  impact: z.string(),
  deliver_notifications: z.boolean(),
  /** component id → the status this incident gives it while active. */
  components: z.record(z.string(), z.string()),
  metadata: z.object({}).loose(),
  ...maintenanceFieldsSchema.shape,
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  monitoring_at: z.string().nullable(),
  /** Newest first; the full shape is get_incident_updates' (kept short here for tools/list). */
  incident_updates: z.array(
    z.object({ id: z.string(), status: z.string(), body: z.string(), created_at: z.string() }).loose(),
  ),
});
/** Narrowed: the status, impact and component statuses to their vocabularies, and each update whole. */
export type StatusIncident = Omit<
  z.infer<typeof statusIncidentSchema>,
  'status' | 'impact' | 'components' | 'incident_updates'
> & {
  status: IncidentStatus;
  impact: IncidentImpact;
  components: Record<string, ComponentStatus>;
  incident_updates: IncidentUpdate[];
};

export type IncidentInput = {
  name: string;
  status: IncidentStatus;
  body?: string | null | undefined;
  impact?: IncidentImpact | undefined;
  deliver_notifications?: boolean | undefined;
  components?: Record<string, ComponentStatus> | undefined;
  metadata?: Record<string, unknown> | undefined;
} & { [K in keyof MaintenanceFields]?: MaintenanceFields[K] | undefined };

export interface IncidentUpdateInput {
  body: string;
  status: IncidentStatus;
  deliver_notifications?: boolean | undefined;
}

export interface StatusPagesPort {
  /** Calls `listener` after every change made in this process (for caches of rendered pages). */
  onChange?(listener: () => void): void;
  listPages(f: { limit: number; offset: number }): Promise<Page<StatusPage>>;
  /** A page by its id or its subdomain. */
  getPage(ref: string): Promise<StatusPage | undefined>;
  /** The page served on its own domain (`status.acme.com`), matched without case. */
  getPageByDomain(domain: string): Promise<StatusPage | undefined>;
  createPage(input: PageInput): Promise<StatusPage>;
  updatePage(ref: string, patch: Partial<PageInput>): Promise<StatusPage>;
  deletePage(ref: string): Promise<StatusPage>;

  listComponents(
    pageRef: string,
    f: { groups?: boolean | undefined; limit: number; offset: number },
  ): Promise<Page<Component>>;
  getComponent(pageRef: string, id: string): Promise<Component>;
  createComponent(pageRef: string, input: ComponentInput): Promise<Component>;
  updateComponent(pageRef: string, id: string, patch: Partial<ComponentInput>): Promise<Component>;
  deleteComponent(pageRef: string, id: string): Promise<Component>;
  /**
   * Daily uptime of the page's components that are linked to checks, from the checks' day
   * rollups over [since, until): component id → its days with results, oldest first.
   */
  checkedUptime(pageRef: string, since: number, until: number): Promise<Map<string, CheckedDay[]>>;

  listIncidents(
    pageRef: string,
    f: { status?: IncidentStatus | undefined; limit: number; offset: number },
  ): Promise<Page<StatusIncident>>;
  getIncident(pageRef: string, id: string): Promise<StatusIncident>;
  createIncident(pageRef: string, input: IncidentInput): Promise<StatusIncident>;
  updateIncident(pageRef: string, id: string, patch: Partial<IncidentInput>): Promise<StatusIncident>;
  deleteIncident(pageRef: string, id: string): Promise<StatusIncident>;

  listIncidentUpdates(pageRef: string, incidentId: string): Promise<IncidentUpdate[]>;
  addIncidentUpdate(pageRef: string, incidentId: string, input: IncidentUpdateInput): Promise<IncidentUpdate>;
  editIncidentUpdate(
    pageRef: string,
    incidentId: string,
    updateId: string,
    patch: { body?: string | undefined; created_at?: string | undefined },
  ): Promise<IncidentUpdate>;
  deleteIncidentUpdate(pageRef: string, incidentId: string, updateId: string): Promise<IncidentUpdate>;
}
