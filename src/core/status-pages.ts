/**
 * Status pages: public pages with components, and the incidents and maintenance posted on them.
 * Field names, statuses and vocabularies are Pingera's (which are Atlassian Statuspage's), so the
 * seed's tools and Statuspage widgets both understand them. Maintenance is an incident with
 * `scheduled_for`/`scheduled_until` and the maintenance statuses.
 */
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

/** The settings a page has beside its name (the seed's create_page parameters). */
export interface PageSettings {
  subdomain: string | null;
  domain: string | null;
  url: string | null;
  language: (typeof PAGE_LANGUAGES)[number];
  headline: string | null;
  page_description: string | null;
  time_zone: string;
  country: string | null;
  city: string | null;
  state: string | null;
  viewers_must_be_team_members: boolean;
  hidden_from_search: boolean;
  allow_page_subscribers: boolean;
  allow_incident_subscribers: boolean;
  allow_email_subscribers: boolean;
  allow_sms_subscribers: boolean;
  allow_webhook_subscribers: boolean;
  allow_rss_atom_feeds: boolean;
  support_url: string | null;
}

export interface StatusPage extends PageSettings {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export type PageInput = { name: string } & Partial<PageSettings>;

export interface Component {
  id: string;
  page_id: string;
  name: string;
  description: string | null;
  group: boolean;
  group_id: string | null;
  only_show_if_degraded: boolean;
  position: number;
  showcase: boolean;
  start_date: string | null;
  /** What the page shows: an active incident's status for it wins; a group shows its worst member. */
  status: ComponentStatus;
  /** The status set on the component itself, shown when no active incident names it. */
  own_status: ComponentStatus;
  /** Checks it follows: its own status is theirs (worst wins), `automation_delay_seconds` late. */
  check_ids: string[];
  automation_delay_seconds: number;
  created_at: string;
  updated_at: string;
}

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

export interface IncidentUpdate {
  id: string;
  incident_id: string;
  status: IncidentStatus;
  body: string;
  components: Record<string, ComponentStatus>;
  deliver_notifications: boolean;
  created_at: string;
  updated_at: string;
}

/** The scheduling fields of maintenance, as Pingera names them. */
export interface MaintenanceFields {
  scheduled_for: string | null;
  scheduled_until: string | null;
  scheduled_remind_prior: boolean;
  scheduled_auto_in_progress: boolean;
  scheduled_auto_completed: boolean;
  auto_transition_to_maintenance_state: boolean;
  auto_transition_to_operational_state: boolean;
  auto_transition_deliver_notifications_at_start: boolean;
  auto_transition_deliver_notifications_at_end: boolean;
  reminder_intervals: string | null;
}

export interface StatusIncident extends MaintenanceFields {
  id: string;
  page_id: string;
  name: string;
  status: IncidentStatus;
  body: string | null;
  impact: IncidentImpact;
  deliver_notifications: boolean;
  /** component id → the status this incident gives it while active. */
  components: Record<string, ComponentStatus>;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  monitoring_at: string | null;
  /** Newest first. */
  incident_updates: IncidentUpdate[];
}

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
