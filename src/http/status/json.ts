/**
 * The Statuspage-compatible public API of a page (`/status/<slug>/api/v2/*.json`): the field
 * names, types and endpoint set of Atlassian Statuspage's public v2 API, so its widgets and
 * aggregators work against Vigil unchanged.
 */
import type { Component, ComponentStatus, IncidentUpdate, StatusIncident } from '../../core/status-pages.js';
import {
  isMaintenance,
  isUnderWay,
  maintenances,
  openMaintenances,
  overallStatus,
  type Snapshot,
  unresolved,
} from './model.js';

/** Statuspage answers the 50 most recent on its list endpoints. */
const RECENT = 50;

const latest = (stamps: string[]) => stamps.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));

function page(s: Snapshot) {
  const p = s.page;
  return {
    id: p.id,
    name: p.name,
    url: p.url ?? s.url,
    time_zone: p.time_zone,
    updated_at: latest([
      p.updated_at,
      ...s.components.map((c) => c.updated_at),
      ...s.incidents.map((i) => i.updated_at),
    ]),
  };
}

function component(s: Snapshot, c: Component) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: c.created_at,
    updated_at: c.updated_at,
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.start_date,
    group_id: c.group_id,
    page_id: c.page_id,
    group: c.group,
    only_show_if_degraded: c.only_show_if_degraded,
    ...(c.group ? { components: s.components.filter((m) => m.group_id === c.id).map((m) => m.id) } : {}),
  };
}

function update(s: Snapshot, u: IncidentUpdate, before: IncidentUpdate | undefined) {
  const affected = Object.entries(u.components).map(([code, status]) => ({
    code,
    name: s.components.find((c) => c.id === code)?.name ?? code,
    old_status: (before?.components[code] ?? 'operational') as ComponentStatus,
    new_status: status,
  }));
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: u.incident_id,
    created_at: u.created_at,
    updated_at: u.updated_at,
    display_at: u.created_at,
    affected_components: affected.length > 0 ? affected : null,
  };
}

function incident(s: Snapshot, i: StatusIncident) {
  const updates = i.incident_updates; // newest first
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.created_at,
    updated_at: i.updated_at,
    monitoring_at: i.monitoring_at,
    resolved_at: i.resolved_at,
    impact: i.impact,
    shortlink: `${s.url}/incidents/${i.id}`,
    started_at: i.created_at,
    page_id: i.page_id,
    incident_updates: updates.map((u, n) => update(s, u, updates[n + 1])),
    components: s.components.filter((c) => c.id in i.components).map((c) => component(s, c)),
    ...(isMaintenance(i) ? { scheduled_for: i.scheduled_for, scheduled_until: i.scheduled_until } : {}),
  };
}

const incidentsOnly = (s: Snapshot) => s.incidents.filter((i) => !isMaintenance(i));

/** The body of one endpoint (its path after `api/v2/`), or undefined when there is none. */
export function statuspageJson(s: Snapshot, endpoint: string): Record<string, unknown> | undefined {
  const head = { page: page(s) };
  const list = (items: StatusIncident[]) => items.map((i) => incident(s, i));
  switch (endpoint) {
    case 'summary.json':
      return {
        ...head,
        components: s.components.map((c) => component(s, c)),
        incidents: list(unresolved(s)),
        scheduled_maintenances: list(openMaintenances(s)),
        status: overallStatus(s),
      };
    case 'status.json':
      return { ...head, status: overallStatus(s) };
    case 'components.json':
      return { ...head, components: s.components.map((c) => component(s, c)) };
    case 'incidents.json':
      return { ...head, incidents: list(incidentsOnly(s).slice(0, RECENT)) };
    case 'incidents/unresolved.json':
      return { ...head, incidents: list(unresolved(s)) };
    case 'scheduled-maintenances.json':
      return { ...head, scheduled_maintenances: list(maintenances(s).slice(0, RECENT)) };
    case 'scheduled-maintenances/upcoming.json':
      return {
        ...head,
        scheduled_maintenances: list(openMaintenances(s).filter((i) => i.status === 'scheduled')),
      };
    case 'scheduled-maintenances/active.json':
      return { ...head, scheduled_maintenances: list(openMaintenances(s).filter(isUnderWay)) };
    default:
      return undefined;
  }
}
