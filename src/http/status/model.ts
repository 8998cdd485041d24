/**
 * What a public status page shows, read once per request from the status-pages port: the page,
 * its components, its recent incidents and maintenance, and the derived overall status. The
 * JSON, the feeds and the HTML all render from this one snapshot, so they never disagree.
 */
import {
  ACTIVE_STATUSES,
  type CheckedDay,
  CLOSED_STATUSES,
  type Component,
  type ComponentStatus,
  type IncidentImpact,
  type StatusIncident,
  type StatusPage,
  type StatusPagesPort,
  worst,
} from '../../core/status-pages.js';
import type { SubscribeOffer } from './subscribe.js';

/** How many incidents (newest first) a page reads: 90 days of history on any sane page. */
const MAX_INCIDENTS = 500;
const MAX_COMPONENTS = 1000;
const DAY_MS = 86_400_000;
/** Days of uptime bars and of incident history. */
export const DAYS = 90;

export interface Snapshot {
  page: StatusPage;
  components: Component[];
  /** Newest first; incidents and maintenance together. */
  incidents: StatusIncident[];
  /** Daily uptime of the components linked to checks, from the checks' rollups. */
  checked: Map<string, CheckedDay[]>;
  now: number;
  /** The page's public address, without a trailing slash. */
  url: string;
  /** The path prefix of the page's own links: `/status/<slug>`, or '' when served on its domain. */
  prefix: string;
  /** Appended to the page's own links: `?key=…` on a private page opened with one, else ''. */
  query: string;
  /** The subscribe form, when the page shows one (a public page taking email or webhook subscribers). */
  subscribe?: SubscribeOffer | undefined;
}

export const isMaintenance = (i: StatusIncident) => i.scheduled_for !== null;
export const isClosed = (i: StatusIncident) => CLOSED_STATUSES.includes(i.status);
/** Incidents that are not over (maintenance excluded). */
export const unresolved = (s: Snapshot) => s.incidents.filter((i) => !isMaintenance(i) && !isClosed(i));
export const maintenances = (s: Snapshot) => s.incidents.filter(isMaintenance);
/** Maintenance scheduled or under way, soonest first. */
export const openMaintenances = (s: Snapshot) =>
  maintenances(s)
    .filter((i) => !isClosed(i))
    .sort((a, b) => Date.parse(a.scheduled_for ?? '') - Date.parse(b.scheduled_for ?? ''));
export const isUnderWay = (i: StatusIncident) => ACTIVE_STATUSES.includes(i.status);

export async function loadSnapshot(
  port: StatusPagesPort,
  page: StatusPage,
  opts: { now: number; url: string; prefix: string; query: string; subscribe?: SubscribeOffer | undefined },
): Promise<Snapshot> {
  const [components, incidents] = await Promise.all([
    port.listComponents(page.id, { limit: MAX_COMPONENTS, offset: 0 }),
    port.listIncidents(page.id, { limit: MAX_INCIDENTS, offset: 0 }),
  ]);
  const since = (Math.floor(opts.now / DAY_MS) - (DAYS - 1)) * DAY_MS;
  const checked = components.items.some((c) => c.check_ids.length > 0)
    ? await port.checkedUptime(page.id, since, opts.now + 1)
    : new Map<string, CheckedDay[]>();
  return { page, components: components.items, incidents: incidents.items, checked, ...opts };
}

export type Indicator = 'none' | 'minor' | 'major' | 'critical';

const BY_COMPONENT: Record<ComponentStatus, Indicator> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};
const RANK: Record<Indicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };
const DESCRIPTION: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major Service Outage',
};

/**
 * The page's overall status as Statuspage computes it: the worse of its worst component and the
 * highest impact of an unresolved incident; maintenance alone shows as under maintenance.
 */
export function overallStatus(s: Snapshot): { indicator: Indicator; description: string } {
  const shown = s.components.filter((c) => !c.group);
  let indicator = BY_COMPONENT[worst(shown.map((c) => c.status))];
  for (const i of unresolved(s)) {
    const impact: IncidentImpact = i.impact;
    if (RANK[impact] > RANK[indicator]) indicator = impact;
  }
  if (indicator === 'none' && shown.some((c) => c.status === 'under_maintenance'))
    return { indicator, description: 'Service Under Maintenance' };
  return { indicator, description: DESCRIPTION[indicator] };
}
