/**
 * Pingera's status-page objects as Vigil's (src/core/status-pages.ts, modelled on them), and
 * Vigil's inputs as Pingera's request bodies. Fields pass through; what Pingera leaves null or
 * absent becomes what the embedded provider answers (its defaults, `null` texts, `none` impact),
 * and timestamps UTC ISO 8601 (raw.ts reads them).
 */
import type { Page } from '../../core/directory.js';
import { NotSupportedError } from '../../core/errors.js';
import {
  ALL_INCIDENT_STATUSES,
  COMPONENT_STATUSES,
  type Component,
  type ComponentInput,
  type ComponentStatus,
  INCIDENT_IMPACTS,
  INCIDENT_STATUSES,
  type IncidentInput,
  type IncidentStatus,
  type IncidentUpdate,
  type MaintenanceFields,
  PAGE_LANGUAGES,
  type PageInput,
  type StatusIncident,
  type StatusPage,
  worst,
} from '../../core/status-pages.js';
import { arr, bool, iso, isoOr, obj, type Raw, str } from './raw.js';

const flag = (v: unknown, fallback: boolean): boolean => bool(v) ?? fallback;
/** Text that is absent, null or empty is null, as the embedded provider stores it. */
const text = (v: unknown): string | null => str(v) || null;
const oneOf = <T extends string>(values: readonly T[], v: unknown): T | undefined =>
  (values as readonly unknown[]).includes(v) ? (v as T) : undefined;

/** The rows of an unpaginated list answer: a bare array or `{<collection>: [...]}`. */
export function rowsOf(body: unknown, collection: string): Raw[] {
  const o = obj(body);
  return arr(Array.isArray(body) ? body : (o?.[collection] ?? o?.data));
}

export function paged<T>(all: T[], f: { limit: number; offset: number }): Page<T> {
  return { items: all.slice(f.offset, f.offset + f.limit), more: all.length > f.offset + f.limit };
}

const PAGE_TEXTS = [
  'url',
  'headline',
  'page_description',
  'country',
  'city',
  'state',
  'support_url',
] as const;
/** The flags' defaults when Pingera leaves them null: the embedded provider's. */
const PAGE_FLAGS = {
  viewers_must_be_team_members: false,
  hidden_from_search: false,
  allow_page_subscribers: false,
  allow_incident_subscribers: false,
  allow_email_subscribers: false,
  allow_sms_subscribers: false,
  allow_webhook_subscribers: false,
  allow_rss_atom_feeds: true,
} as const;

export function toPage(r: Raw): StatusPage {
  const out = {
    id: str(r.id) ?? '',
    name: str(r.name) ?? '',
    subdomain: text(r.subdomain),
    domain: text(r.domain),
    language: oneOf(PAGE_LANGUAGES, r.language) ?? 'en',
    time_zone: str(r.time_zone) || 'UTC',
    created_at: isoOr(r.created_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  } as StatusPage;
  for (const k of PAGE_TEXTS) out[k] = text(r[k]);
  for (const [k, d] of Object.entries(PAGE_FLAGS)) out[k as keyof typeof PAGE_FLAGS] = flag(r[k], d);
  return out;
}

/** Whether a request creates its object or changes one. */
export type Write = 'create' | 'update';

/**
 * A request body of the fields given. Pingera's request schemas are closed and take no null (the
 * assumptions of the contract in test/helpers/openapi-contract-apis.ts: marshmallow's `unknown=RAISE`,
 * `allow_none` off), so an empty value is left out of a create (unset is the default), a text field
 * is cleared with '' on an update, and a field with no empty value cannot be cleared: NOT_SUPPORTED.
 */
function bodyOf(input: Raw, write: Write, texts: readonly string[], what: string): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (v !== null && v !== '') out[k] = v;
    else if (write === 'update') {
      if (!texts.includes(k)) throw unsupported(`clearing ${what}'s ${k}: Pingera's API takes no null there`);
      out[k] = '';
    }
  }
  return out;
}

const unsupported = (operation: string) => new NotSupportedError(operation, 'pingera');

/** A page body (Page / Page1); a domain, like a text, clears with ''; a subdomain has to match its pattern. */
export function pageBody(input: Partial<PageInput>, write: Write): Raw {
  return bodyOf(input, write, [...PAGE_TEXTS, 'domain'], 'a status page');
}

function componentStatus(v: unknown): ComponentStatus {
  return oneOf(COMPONENT_STATUSES, obj(v)?.status ?? v) ?? 'operational';
}

export function toComponent(r: Raw, pageId: string): Component {
  const own = componentStatus(r.status);
  return {
    id: str(r.id) ?? '',
    page_id: str(r.page_id) ?? pageId,
    name: str(r.name) ?? '',
    description: text(r.description),
    group: flag(r.group, false),
    group_id: str(r.group_id) || null,
    only_show_if_degraded: flag(r.only_show_if_degraded, false),
    position: typeof r.position === 'number' ? r.position : 0,
    showcase: flag(r.showcase, true),
    start_date: iso(r.start_date),
    status: own,
    own_status: own,
    // Following checks is Vigil's own engine's: a Pingera component follows none.
    check_ids: [],
    automation_delay_seconds: 0,
    created_at: isoOr(r.created_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}

/** A group shows its worst member, as on the embedded provider (members of `all`). */
export function withGroupStatus(c: Component, all: readonly Component[]): Component {
  if (!c.group) return c;
  const members = all.filter((m) => m.group_id === c.id);
  return members.length > 0 ? { ...c, status: worst(members.map((m) => m.own_status)) } : c;
}

/** Display order, as the embedded provider lists: position, then name, then id. */
export const byPosition = (a: Component, b: Component) =>
  a.position - b.position || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

const COMPONENT_FIELDS = [
  'name',
  'description',
  'group',
  'group_id',
  'only_show_if_degraded',
  'position',
  'showcase',
  'start_date',
  'status',
] as const;

/** A component body (Component / Component1). */
export function componentBody(input: Partial<ComponentInput>, write: Write): Raw {
  if (input.check_ids !== undefined || input.automation_delay_seconds !== undefined) {
    throw unsupported('components that follow checks (check_ids; the embedded engine links them)');
  }
  const fields = Object.fromEntries(COMPONENT_FIELDS.map((k) => [k, input[k]]));
  return bodyOf(fields, write, ['description'], 'a component');
}

/**
 * `{component id: status}` from what Pingera sends: the map it takes on writes, or (the response
 * schema types it loosely, "list of components affected … with their current status") a list of
 * components, or a map to component objects. Sorted by id, as the embedded provider answers.
 */
function componentMap(v: unknown): Record<string, ComponentStatus> {
  const pairs: [string, ComponentStatus][] = [];
  if (Array.isArray(v)) {
    for (const c of arr(v)) {
      const id = str(c.id) ?? str(c.component_id);
      if (id) pairs.push([id, componentStatus(c.status)]);
    }
  } else if (obj(v)) {
    for (const [id, s] of Object.entries(v as Raw)) pairs.push([id, componentStatus(s)]);
  }
  return Object.fromEntries(pairs.sort(([a], [b]) => a.localeCompare(b)));
}

/** Maintenance (it has a window) reads `scheduled` and an incident `investigating` when unsaid. */
function incidentStatus(v: unknown, maintenance: boolean): IncidentStatus {
  return oneOf(ALL_INCIDENT_STATUSES, v) ?? (maintenance ? 'scheduled' : 'investigating');
}

export function toUpdate(r: Raw, incidentId: string): IncidentUpdate {
  return {
    id: str(r.id) ?? '',
    incident_id: str(r.incident_id) ?? incidentId,
    status: incidentStatus(r.status, false),
    body: str(r.body) ?? '',
    components: componentMap(r.components),
    deliver_notifications: flag(r.deliver_notifications, true),
    created_at: isoOr(r.created_at),
    updated_at: isoOr(r.updated_at, r.created_at),
  };
}

/** Newest first, as Pingera documents `incident_updates` and the port answers. */
export const newestFirst = <T extends { created_at: string; id: string }>(a: T, b: T) =>
  b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);

/** The maintenance flags' defaults when Pingera leaves them null: the embedded provider's. */
const MAINTENANCE_FLAGS = {
  scheduled_remind_prior: false,
  scheduled_auto_in_progress: true,
  scheduled_auto_completed: true,
  auto_transition_to_maintenance_state: true,
  auto_transition_to_operational_state: true,
  auto_transition_deliver_notifications_at_start: false,
  auto_transition_deliver_notifications_at_end: false,
} as const;

export function toIncident(r: Raw, pageId: string, updates?: IncidentUpdate[]): StatusIncident {
  const id = str(r.id) ?? '';
  const scheduledFor = iso(r.scheduled_for);
  const scheduledUntil = iso(r.scheduled_until);
  const flags = Object.fromEntries(
    Object.entries(MAINTENANCE_FLAGS).map(([k, d]) => [k, flag(r[k], d)]),
  ) as Omit<MaintenanceFields, 'scheduled_for' | 'scheduled_until' | 'reminder_intervals'>;
  return {
    id,
    page_id: str(r.page_id) ?? pageId,
    name: str(r.name) ?? '',
    status: incidentStatus(r.status, scheduledFor !== null || scheduledUntil !== null),
    body: str(r.body) ?? null,
    // Pingera's impacts are minor|major|critical; null is Vigil's `none`.
    impact: oneOf(INCIDENT_IMPACTS, r.impact) ?? 'none',
    deliver_notifications: flag(r.deliver_notifications, true),
    components: componentMap(r.components),
    metadata: obj(r.metadata) ?? {},
    scheduled_for: scheduledFor,
    scheduled_until: scheduledUntil,
    ...flags,
    reminder_intervals: text(r.reminder_intervals),
    created_at: isoOr(r.created_at),
    updated_at: isoOr(r.updated_at, r.created_at),
    resolved_at: iso(r.resolved_at),
    monitoring_at: iso(r.monitoring_at),
    incident_updates: (
      updates ??
      (Array.isArray(r.incident_updates) ? arr(r.incident_updates).map((u) => toUpdate(u, id)) : [])
    ).sort(newestFirst),
  };
}

/** What Pingera's incident bodies do not declare: the maintenance schedule and metadata. */
const NOT_WRITABLE = [
  'scheduled_for',
  'scheduled_until',
  'reminder_intervals',
  'metadata',
  ...Object.keys(MAINTENANCE_FLAGS),
];

/**
 * An incident body (IncidentCreate / IncidentUpdateSchemaEdit: name, status, body, impact,
 * deliver_notifications, components). Maintenance is read (Incident has every scheduled_* and
 * auto_transition_* field, and Pingera runs the window itself) but not written: neither body
 * declares those fields or metadata, and their `status` takes the incident statuses only (the
 * maintenance ones come from GET /v1/maintenance-statuses, with no write that takes them). The
 * seed's update_incident sent them anyway, and they were "rejected or dropped" (notes §1.5).
 */
export function incidentBody(input: Partial<IncidentInput>, write: Write): Raw {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  for (const k of NOT_WRITABLE) {
    if (k in given) {
      throw unsupported(
        `setting ${k} on a status-page incident: Pingera's API takes no maintenance schedule or metadata on incident writes (schedule maintenance in the Pingera app)`,
      );
    }
  }
  if (given.status !== undefined && !oneOf(INCIDENT_STATUSES, given.status)) {
    throw unsupported(
      `the maintenance status '${String(given.status)}': Pingera's incident writes take ${INCIDENT_STATUSES.join(', ')}`,
    );
  }
  if (given.impact === 'none') {
    if (write === 'update')
      throw unsupported("setting impact back to 'none': Pingera's impacts are minor, major and critical");
    delete given.impact;
  }
  return bodyOf(given, write, ['body'], 'an incident');
}
