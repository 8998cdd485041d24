/**
 * PagerDuty's raw REST objects turned into Vigil's shapes (which follow PagerDuty's field names,
 * as the PagerDuty seed's parsers keep them: reference/pagerduty-notes.md §1.10). Links (`self`,
 * `html_url`) and billing fields are dropped; null values and missing lists are left out, never
 * guessed. Past the seed: schedules keep `final_schedule`, services their escalation policy,
 * users their contact addresses.
 */
import {
  type ContactMethod,
  type IncidentUrgencyRule,
  type Reference,
  SERVICE_URGENCIES,
  type Service,
  type Team,
  type User,
} from '../../core/directory.js';
import { VigilError } from '../../core/errors.js';
import type { EscalationPolicy, TargetType } from '../../core/escalation.js';
import type {
  Incident,
  IncidentNote,
  IncidentStatus,
  LogEntry,
  PastIncident,
  RelatedIncident,
  Urgency,
} from '../../core/incidents.js';
import type { Oncall, Schedule, ScheduleLayer, ScheduleOverride, ShiftEntry } from '../../core/schedules.js';
import { arr, defined, num, obj, type Raw, str } from '../shared/read.js';

export type { Raw } from '../shared/read.js';

/** PagerDuty's answer lacks what it must hold: PagerDuty's fault, reported as such. */
function malformed(key: string): VigilError {
  return new VigilError('UPSTREAM_ERROR', `PagerDuty's answer has no \`${key}\`; try again, or report it.`, {
    provider: 'pagerduty',
  });
}

/** The object an answer holds under `key` (`{"incident": {...}}`). */
export function one(body: unknown, key: string): Raw {
  const v = obj(obj(body)?.[key]);
  if (!v) throw malformed(key);
  return v;
}

/** The list an answer holds under `key` (`{"notes": [...]}`). */
export function many(body: unknown, key: string): Raw[] {
  const v = obj(body)?.[key];
  if (!Array.isArray(v)) throw malformed(key);
  return arr(v);
}

/** `{id, summary}` of a reference (PagerDuty's `Reference` as the seed keeps it). */
export function ref(v: unknown): { id: string; summary: string } | undefined {
  const r = obj(v);
  const id = str(r?.id);
  if (!r || !id) return undefined;
  return { id, summary: str(r.summary) ?? str(r.name) ?? '' };
}

/** `{id, type, summary}` of a reference. */
export function typedRef(v: unknown, fallbackType: string): Reference | undefined {
  const r = ref(v);
  return r && { id: r.id, type: str(obj(v)?.type) ?? fallbackType, summary: r.summary };
}

const refs = (v: unknown) => arr(v).flatMap((r) => ref(r) ?? []);
/** Each `{id, type, summary}` of a list of references. */
export const typedRefs = (v: unknown, type: string) => arr(v).flatMap((r) => typedRef(r, type) ?? []);

function contactMethod(raw: Raw): ContactMethod {
  const type = str(raw.type) ?? 'contact_method';
  return defined({
    id: str(raw.id) ?? '',
    type: type.replace(/_reference$/, '') as ContactMethod['type'],
    summary: str(raw.summary) ?? str(raw.label) ?? '',
    address: str(raw.address),
    label: str(raw.label),
  });
}

export function user(raw: Raw): User {
  return defined({
    id: str(raw.id) ?? '',
    type: 'user' as const,
    name: str(raw.name) ?? '',
    email: str(raw.email) ?? '',
    time_zone: str(raw.time_zone) as string,
    description: str(raw.description),
    role: str(raw.role) as string,
    job_title: str(raw.job_title),
    teams: typedRefs(raw.teams, 'team_reference'),
    contact_methods: arr(raw.contact_methods).map(contactMethod),
    notification_rules: arr(raw.notification_rules).flatMap((r) =>
      str(r.id) ? [{ id: str(r.id) as string, type: str(r.type) ?? 'assignment_notification_rule' }] : [],
    ),
  });
}

export function team(raw: Raw, members?: Raw[]): Team {
  const parent = obj(raw.parent);
  return defined({
    id: str(raw.id) ?? '',
    type: 'team' as const,
    name: str(raw.name) ?? '',
    summary: str(raw.summary) ?? str(raw.name) ?? '',
    description: str(raw.description),
    parent:
      parent && str(parent.id)
        ? { id: str(parent.id) as string, type: str(parent.type) ?? 'team_reference' }
        : undefined,
    members: members?.flatMap((m) => {
      const u = typedRef(m.user, 'user_reference');
      return u ? [{ ...u, role: str(m.role) }].map(defined) : [];
    }),
  });
}

/** A service's constant urgency rule; support-hours rules have no single urgency to show. */
function urgencyRule(raw: unknown): IncidentUrgencyRule | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { type, urgency } = raw as Raw;
  const known = (SERVICE_URGENCIES as readonly unknown[]).includes(urgency);
  return type === 'constant' && known
    ? { type, urgency: urgency as IncidentUrgencyRule['urgency'] }
    : undefined;
}

export function service(raw: Raw): Service {
  return defined({
    id: str(raw.id) ?? '',
    type: 'service' as const,
    name: str(raw.name) ?? '',
    summary: str(raw.summary) ?? str(raw.name) ?? '',
    description: str(raw.description),
    status: (str(raw.status) ?? 'active') as Service['status'],
    escalation_policy: typedRef(raw.escalation_policy, 'escalation_policy_reference'),
    teams: typedRefs(raw.teams, 'team_reference'),
    integrations: refs(raw.integrations),
    incident_urgency_rule: urgencyRule(raw.incident_urgency_rule),
    created_at: str(raw.created_at),
    updated_at: str(raw.updated_at),
  });
}

export function escalationPolicy(raw: Raw): EscalationPolicy {
  return defined({
    id: str(raw.id) ?? '',
    type: 'escalation_policy' as const,
    name: str(raw.name) ?? '',
    summary: str(raw.summary) ?? str(raw.name) ?? '',
    description: str(raw.description),
    num_loops: num(raw.num_loops) ?? 0,
    escalation_rules: arr(raw.escalation_rules).map((rule) => ({
      id: str(rule.id) ?? '',
      escalation_delay_in_minutes: num(rule.escalation_delay_in_minutes) ?? 0,
      targets: arr(rule.targets).flatMap((t) => {
        const r = typedRef(t, 'user_reference');
        return r ? [{ ...r, type: r.type.replace(/^(user|schedule)$/, '$1_reference') as TargetType }] : [];
      }),
    })),
    services: refs(raw.services),
    teams: refs(raw.teams),
  });
}

/** The alert's own details and link, from PagerDuty's Common Event Format payload. */
function cef(raw: Raw): { body_details?: Record<string, unknown>; client_url?: string } {
  const payload = obj(obj(obj(raw.body)?.details)?.__pd_cef_payload);
  if (!payload) return {};
  const details = obj(payload.details);
  const kept = details
    ? Object.fromEntries(
        Object.entries(details).filter(([k, v]) => k !== 'title' && v !== null && v !== undefined),
      )
    : undefined;
  return defined({ body_details: kept, client_url: str(payload.client_url) });
}

export function incident(raw: Raw): Incident {
  const changedBy = obj(raw.last_status_change_by);
  const by = ref(changedBy);
  const counts = obj(raw.alert_counts);
  return defined({
    id: str(raw.id) ?? '',
    type: 'incident' as const,
    incident_number: num(raw.incident_number) ?? 0,
    title: str(raw.title) ?? '',
    summary: str(raw.summary) ?? str(raw.title) ?? '',
    description: str(raw.description),
    status: (str(raw.status) ?? 'triggered') as IncidentStatus,
    urgency: (str(raw.urgency) ?? 'high') as Urgency,
    incident_key: str(raw.incident_key),
    created_at: str(raw.created_at) ?? '',
    updated_at: str(raw.updated_at) ?? str(raw.created_at) ?? '',
    last_status_change_at: str(raw.last_status_change_at) ?? str(raw.created_at) ?? '',
    last_status_change_by: by && {
      ...by,
      type: (str(changedBy?.type) === 'service_reference' ? 'service_reference' : 'user_reference') as
        | 'user_reference'
        | 'service_reference',
    },
    resolved_at: str(raw.resolved_at),
    service: ref(raw.service) ?? { id: '', summary: '' },
    escalation_policy: ref(raw.escalation_policy),
    teams: refs(raw.teams),
    assignments: arr(raw.assignments).flatMap((a) => {
      const assignee = ref(a.assignee);
      return assignee ? [{ assignee, at: str(a.at) ?? '' }] : [];
    }),
    acknowledgements: arr(raw.acknowledgements).flatMap((a) => {
      const acknowledger = ref(a.acknowledger);
      return acknowledger ? [{ acknowledger, at: str(a.at) ?? '' }] : [];
    }),
    alert_counts: {
      triggered: num(counts?.triggered) ?? 0,
      resolved: num(counts?.resolved) ?? 0,
      all: num(counts?.all) ?? 0,
    },
    ...cef(raw),
  });
}

export function note(raw: Raw): IncidentNote {
  const u = ref(raw.user);
  return defined({
    id: str(raw.id) ?? '',
    content: str(raw.content) ?? '',
    created_at: str(raw.created_at) ?? '',
    user: u && { id: u.id, name: u.summary },
    channel: { summary: str(obj(raw.channel)?.summary) ?? '' },
  });
}

export function logEntry(raw: Raw): LogEntry {
  const agent = obj(raw.agent);
  const a = ref(agent);
  const channel = obj(raw.channel);
  return defined({
    id: str(raw.id) ?? '',
    type: str(raw.type) ?? '',
    created_at: str(raw.created_at) ?? '',
    summary: str(raw.summary) ?? '',
    agent: a && {
      ...a,
      type: (str(agent?.type) === 'service_reference' ? 'service_reference' : 'user_reference') as
        | 'user_reference'
        | 'service_reference',
    },
    details: channel ? { channel: str(channel.type), ...(str(raw.note) && { note: raw.note }) } : undefined,
  });
}

/** `past_incidents` items: PagerDuty gives only `{incident: {id, created_at, title}, score}`. */
export function pastIncident(raw: Raw): PastIncident {
  const i = obj(raw.incident) ?? {};
  return defined({
    id: str(i.id) ?? '',
    title: str(i.title) ?? '',
    created_at: str(i.created_at) ?? '',
    similarity_score: num(raw.score) ?? 0,
  });
}

export function relatedIncident(raw: Raw): RelatedIncident {
  const relationship = arr(raw.relationships)[0];
  return {
    ...incident(obj(raw.incident) ?? {}),
    relationship_type: str(relationship?.type) ?? 'related',
    ...(obj(relationship?.metadata) && {
      relationship_metadata: relationship?.metadata as Record<string, unknown>,
    }),
  };
}

function shift(raw: Raw): ShiftEntry | undefined {
  const u = ref(raw.user);
  const start = str(raw.start);
  const end = str(raw.end);
  return u && start && end ? { start, end, user: u } : undefined;
}
const shifts = (v: unknown) => arr(v).flatMap((s) => shift(s) ?? []);

function layer(raw: Raw): ScheduleLayer {
  return defined({
    id: str(raw.id) ?? '',
    name: str(raw.name) ?? '',
    start: str(raw.start) ?? '',
    end: str(raw.end) ?? null,
    rotation_virtual_start: str(raw.rotation_virtual_start) ?? str(raw.start) ?? '',
    rotation_turn_length_seconds: num(raw.rotation_turn_length_seconds) ?? 0,
    // The seed flattens `{user: {...}}` to the user reference.
    users: arr(raw.users).flatMap((u) => ref(u.user) ?? ref(u) ?? []),
    restrictions: arr(raw.restrictions).map((r) => ({
      type: (str(r.type) ?? 'daily_restriction') as 'daily_restriction' | 'weekly_restriction',
      start_time_of_day: str(r.start_time_of_day) ?? '00:00:00',
      duration_seconds: num(r.duration_seconds) ?? 0,
      ...(num(r.start_day_of_week) !== undefined && { start_day_of_week: num(r.start_day_of_week) }),
    })) as ScheduleLayer['restrictions'],
    rendered_schedule_entries: arr(raw.rendered_schedule_entries).length
      ? shifts(raw.rendered_schedule_entries)
      : undefined,
  });
}

export function schedule(raw: Raw, overrides?: Raw[]): Schedule {
  const final = obj(raw.final_schedule);
  const entries = shifts(final?.rendered_schedule_entries);
  return defined({
    id: str(raw.id) ?? '',
    type: 'schedule' as const,
    name: str(raw.name) ?? '',
    summary: str(raw.summary) ?? str(raw.name) ?? '',
    description: str(raw.description),
    time_zone: str(raw.time_zone) ?? 'UTC',
    schedule_layers: arr(raw.schedule_layers).map(layer),
    escalation_policies: refs(raw.escalation_policies),
    teams: refs(raw.teams),
    users: refs(raw.users),
    overrides: overrides?.map(override),
    // PagerDuty renders the final schedule only for a window; without entries it says nothing.
    final_schedule: entries.length
      ? {
          name: 'Final Schedule' as const,
          rendered_schedule_entries: entries,
          rendered_coverage_percentage: num(final?.rendered_coverage_percentage) ?? 0,
        }
      : undefined,
  });
}

export function override(raw: Raw): ScheduleOverride {
  return defined({
    id: str(raw.id) ?? '',
    start: str(raw.start) ?? '',
    end: str(raw.end) ?? '',
    user: ref(raw.user) ?? { id: '', summary: '' },
    created_at: str(raw.created_at),
  });
}

export function oncall(raw: Raw): Oncall {
  return {
    user: ref(raw.user) ?? { id: '', summary: '' },
    schedule: ref(raw.schedule) ?? null,
    escalation_policy: ref(raw.escalation_policy) ?? { id: '', summary: '' },
    escalation_level: num(raw.escalation_level) ?? 1,
    start: str(raw.start) ?? null,
    end: str(raw.end) ?? null,
  };
}
