/**
 * Renders the fake PagerDuty account's objects in the REST v2 raw shapes (spec schemas and
 * contracts/pagerduty-fixtures/*_raw.json): full objects, or references; `include` names the
 * `include[]` values of the request, which swap references for full objects.
 */
import {
  API_BASE,
  type FakeAccount,
  type IncidentState,
  type Interval,
  iso,
  type LogState,
  type NoteState,
  type OncallRow,
  type OverrideState,
  reference,
  type SeedEscalationPolicy,
  type SeedSchedule,
  type SeedService,
  type SeedTeam,
  type SeedUser,
  WEB_BASE,
} from './fake-pagerduty-state.js';

type Json = Record<string, unknown>;
const NONE = new Set<string>();

export function userRef(a: FakeAccount, id: string): Json {
  return reference('user', id, a.users.get(id)?.name ?? null);
}
export function teamRef(a: FakeAccount, id: string): Json {
  return reference('team', id, a.teams.get(id)?.name ?? null);
}
export function serviceRef(a: FakeAccount, id: string): Json {
  return reference('service', id, a.services.get(id)?.name ?? null);
}
export function policyRef(a: FakeAccount, id: string): Json {
  return reference('escalation_policy', id, a.policies.get(id)?.name ?? null);
}
export function scheduleRef(a: FakeAccount, id: string): Json {
  return reference('schedule', id, a.schedules.get(id)?.name ?? null);
}
export function incidentRef(inc: IncidentState): Json {
  return reference('incident', inc.id, `[#${inc.number}] ${inc.title}`);
}

function orFull<T>(
  include: Set<string>,
  name: string,
  value: T | undefined,
  full: (v: T) => Json,
  ref: Json,
): Json {
  return include.has(name) && value !== undefined ? full(value) : ref;
}

export function renderUser(a: FakeAccount, u: SeedUser, include: Set<string> = NONE): Json {
  const self = `${API_BASE}/users/${u.id}`;
  const contact = {
    id: `${u.id}E`,
    type: 'email_contact_method',
    summary: 'Default',
    self: `${self}/contact_methods/${u.id}E`,
    html_url: null,
    label: 'Default',
    address: u.email,
  };
  const rule = {
    id: `${u.id}N`,
    type: 'assignment_notification_rule',
    summary: '0 minutes: channel Default',
    self: `${self}/notification_rules/${u.id}N`,
    html_url: null,
    start_delay_in_minutes: 0,
    contact_method: { ...contact, type: 'email_contact_method_reference' },
    urgency: 'high',
  };
  const refOf = (o: Json) => ({
    id: o.id,
    type: `${o.type}_reference`,
    summary: o.summary,
    self: o.self,
    html_url: null,
  });
  return {
    ...reference('user', u.id, u.name),
    type: 'user',
    name: u.name,
    email: u.email,
    time_zone: u.time_zone ?? 'Etc/UTC',
    color: 'green',
    role: u.role ?? 'user',
    avatar_url: `https://secure.gravatar.com/avatar/${u.id}.png?d=mm&r=PG`,
    description: u.description ?? null,
    invitation_sent: false,
    job_title: u.job_title ?? null,
    billed: true,
    teams: (u.teams ?? []).map((t) =>
      orFull(include, 'teams', a.teams.get(t), (x) => renderTeam(a, x), teamRef(a, t)),
    ),
    contact_methods: [include.has('contact_methods') ? contact : refOf(contact)],
    notification_rules: [include.has('notification_rules') ? rule : refOf(rule)],
  };
}

export function renderTeam(a: FakeAccount, t: SeedTeam): Json {
  return {
    ...reference('team', t.id, t.name),
    type: 'team',
    name: t.name,
    description: t.description ?? null,
    default_role: 'manager',
    parent: t.parent ? teamRef(a, t.parent) : null,
  };
}

/** `critical` with a triggered incident, `warning` with an acknowledged one, else `active` (unless seeded otherwise). */
function serviceStatus(a: FakeAccount, s: SeedService): string {
  if (s.status === 'disabled' || s.status === 'maintenance') return s.status;
  const open = a.incidents.filter((i) => i.service === s.id);
  if (open.some((i) => i.status === 'triggered')) return 'critical';
  if (open.some((i) => i.status === 'acknowledged')) return 'warning';
  return 'active';
}

export function renderService(a: FakeAccount, s: SeedService, include: Set<string> = NONE): Json {
  const created = s.created_at ?? '2020-01-01T00:00:00Z';
  const last = Math.max(...a.incidents.filter((i) => i.service === s.id).map((i) => i.createdAt));
  return {
    ...reference('service', s.id, s.name),
    type: 'service',
    html_url: `${WEB_BASE}/service-directory/${s.id}`,
    name: s.name,
    description: s.description ?? null,
    auto_resolve_timeout: 14400,
    acknowledgement_timeout: 1800,
    created_at: created,
    updated_at: created,
    status: serviceStatus(a, s),
    last_incident_timestamp: Number.isFinite(last) ? iso(last) : null,
    escalation_policy: orFull(
      include,
      'escalation_policies',
      a.policies.get(s.escalation_policy),
      (p) => renderPolicy(a, p),
      policyRef(a, s.escalation_policy),
    ),
    response_play: null,
    teams: (s.teams ?? []).map((t) =>
      orFull(include, 'teams', a.teams.get(t), (x) => renderTeam(a, x), teamRef(a, t)),
    ),
    integrations: [],
    incident_urgency_rule: { type: 'constant', urgency: 'high' },
    support_hours: null,
    scheduled_actions: [],
    alert_creation: 'create_alerts_and_incidents',
  };
}

export function renderPolicy(a: FakeAccount, p: SeedEscalationPolicy, include: Set<string> = NONE): Json {
  const services = [...a.services.values()].filter((s) => s.escalation_policy === p.id);
  return {
    ...reference('escalation_policy', p.id, p.name),
    type: 'escalation_policy',
    name: p.name,
    description: p.description ?? null,
    num_loops: p.num_loops ?? 0,
    on_call_handoff_notifications: 'if_has_services',
    escalation_rules: p.rules.map((rule, i) => ({
      id: `${p.id}R${i + 1}`,
      escalation_delay_in_minutes: rule.delay ?? 30,
      targets: rule.targets.map((t) => {
        if (t.type === 'user') {
          return orFull(include, 'targets', a.users.get(t.id), (u) => renderUser(a, u), userRef(a, t.id));
        }
        return orFull(
          include,
          'targets',
          a.schedules.get(t.id),
          (s) => renderSchedule(a, s),
          scheduleRef(a, t.id),
        );
      }),
    })),
    services: services.map((s) => (include.has('services') ? renderService(a, s) : serviceRef(a, s.id))),
    teams: (p.teams ?? []).map((t) =>
      orFull(include, 'teams', a.teams.get(t), (x) => renderTeam(a, x), teamRef(a, t)),
    ),
    privilege: null,
  };
}

export interface ScheduleWindow {
  since: number;
  until: number;
  overflow: boolean;
}

function entries(a: FakeAccount, list: Interval[], window: ScheduleWindow | undefined): Json[] {
  if (!window) return [];
  return list
    .filter((e) => e.start < window.until && e.end > window.since)
    .map((e) => ({
      user: userRef(a, e.user),
      start: iso(window.overflow ? e.start : Math.max(e.start, window.since)),
      end: iso(window.overflow ? e.end : Math.min(e.end, window.until)),
    }));
}

function coverage(list: Json[], window: ScheduleWindow | undefined): number | null {
  if (!window || window.until <= window.since) return null;
  const covered = list.reduce((sum, e) => sum + Date.parse(String(e.end)) - Date.parse(String(e.start)), 0);
  return Math.min(100, Math.round((covered / (window.until - window.since)) * 1000) / 10);
}

export function scheduleUsers(a: FakeAccount, s: SeedSchedule): string[] {
  return s.users ?? [...new Set(a.shifts.filter((x) => x.schedule === s.id).map((x) => x.user))];
}

/**
 * A schedule. `parts` names the heavy fields to render (`schedule_layers`, `final_schedule`,
 * `overrides_subschedule`): GET /schedules/{id} renders all three, the list only those in include[].
 * Rendered entries are filled only for a window (since/until), as PagerDuty does.
 */
export function renderSchedule(
  a: FakeAccount,
  s: SeedSchedule,
  parts: Set<string> = NONE,
  window?: ScheduleWindow,
): Json {
  const shifts = a.shifts.filter((x) => x.schedule === s.id);
  const final = entries(a, a.finalEntries(s.id), window);
  const overrides = entries(
    a,
    a.overrides.filter((o) => o.schedule === s.id),
    window,
  );
  const layerStart = iso(Math.min(...shifts.map((x) => x.start), Date.parse('2020-01-01T00:00:00Z')));
  const policies = [...a.policies.values()].filter((p) =>
    p.rules.some((r) => r.targets.some((t) => t.type === 'schedule' && t.id === s.id)),
  );
  const out: Json = {
    ...reference('schedule', s.id, s.name),
    type: 'schedule',
    name: s.name,
    time_zone: s.time_zone ?? 'Etc/UTC',
    description: s.description ?? null,
    escalation_policies: policies.map((p) => policyRef(a, p.id)),
    users: scheduleUsers(a, s).map((u) => userRef(a, u)),
    teams: (s.teams ?? []).map((t) => teamRef(a, t)),
    http_cal_url: `${WEB_BASE}/private/feed/${s.id}`,
    web_cal_url: `webcal://fake.pagerduty.com/private/feed/${s.id}`,
  };
  if (parts.has('schedule_layers')) {
    const layer = entries(a, shifts, window);
    out.schedule_layers = [
      {
        id: `${s.id}L1`,
        name: 'Layer 1',
        start: layerStart,
        end: null,
        rotation_virtual_start: layerStart,
        rotation_turn_length_seconds: 604800,
        users: scheduleUsers(a, s).map((u) => ({ user: userRef(a, u) })),
        restrictions: [],
        rendered_schedule_entries: layer,
        rendered_coverage_percentage: coverage(layer, window),
      },
    ];
  }
  if (parts.has('final_schedule')) {
    out.final_schedule = {
      name: 'Final Schedule',
      rendered_schedule_entries: final,
      rendered_coverage_percentage: coverage(final, window),
    };
  }
  if (parts.has('overrides_subschedule')) {
    out.overrides_subschedule = {
      name: 'Overrides',
      rendered_schedule_entries: overrides,
      rendered_coverage_percentage: coverage(overrides, window),
    };
  }
  return out;
}

export function renderOverride(a: FakeAccount, o: OverrideState): Json {
  return { id: o.id, start: iso(o.start), end: iso(o.end), user: userRef(a, o.user) };
}

export function renderOncall(a: FakeAccount, row: OncallRow, include: Set<string> = NONE): Json {
  const user = a.users.get(row.user);
  const policy = a.policies.get(row.policy);
  const schedule = row.schedule ? a.schedules.get(row.schedule) : undefined;
  return {
    escalation_policy: orFull(
      include,
      'escalation_policies',
      policy,
      (p) => renderPolicy(a, p),
      policyRef(a, row.policy),
    ),
    escalation_level: row.level,
    schedule: row.schedule
      ? orFull(include, 'schedules', schedule, (s) => renderSchedule(a, s), scheduleRef(a, row.schedule))
      : null,
    user: orFull(include, 'users', user, (u) => renderUser(a, u), userRef(a, row.user)),
    start: row.start === null ? null : iso(row.start),
    end: row.end === null ? null : iso(row.end),
  };
}

function agentRef(a: FakeAccount, agent: { type: 'user' | 'service'; id: string }): Json {
  return agent.type === 'user' ? userRef(a, agent.id) : serviceRef(a, agent.id);
}

export function renderLogEntry(a: FakeAccount, inc: IncidentState, e: LogState): Json {
  const service = a.services.get(inc.service);
  const out: Json = {
    ...reference('log_entry', e.id, e.summary),
    type: e.type,
    html_url: `${WEB_BASE}/incidents/${inc.id}/log_entries/${e.id}`,
    created_at: iso(e.at),
    agent: agentRef(a, e.agent),
    channel: { type: e.channel },
    service: serviceRef(a, inc.service),
    incident: incidentRef(inc),
    teams: (service?.teams ?? []).map((t) => teamRef(a, t)),
    contexts: [],
  };
  if (e.type === 'trigger_log_entry') out.event_details = { description: inc.title };
  if (e.note !== undefined) out.note = e.note;
  if (e.assignees) out.assignees = e.assignees.map((u) => userRef(a, u));
  return out;
}

export function renderNote(a: FakeAccount, n: NoteState): Json {
  return {
    id: n.id,
    user: userRef(a, n.user),
    channel: { summary: 'The PagerDuty website or APIs', type: 'web_trigger' },
    content: n.content,
    created_at: iso(n.at),
    updated_at: iso(n.at),
  };
}

/**
 * An incident. include[]: `services`, `teams`, `escalation_policies`, `assignees`, `acknowledgers`,
 * `users` (both of those), `agents` (last_status_change_by), `first_trigger_log_entries`, and `body`
 * (only on GET /incidents/{id}).
 */
export function renderIncident(a: FakeAccount, inc: IncidentState, include: Set<string> = NONE): Json {
  const service = a.services.get(inc.service);
  const user = (id: string, included: string) => {
    const u = a.users.get(id);
    return u && (include.has(included) || include.has('users')) ? renderUser(a, u) : userRef(a, id);
  };
  const trigger = inc.log.find((e) => e.type === 'trigger_log_entry');
  const agent = inc.lastChangeBy;
  const agentUser = agent.type === 'user' ? a.users.get(agent.id) : undefined;
  const agentService = agent.type === 'service' ? a.services.get(agent.id) : undefined;
  const fullAgent = agentUser ? renderUser(a, agentUser) : agentService && renderService(a, agentService);
  const open = inc.status === 'resolved' ? 0 : 1;
  const out: Json = {
    ...reference('incident', inc.id, `[#${inc.number}] ${inc.title}`),
    type: 'incident',
    incident_number: inc.number,
    title: inc.title,
    description: inc.title,
    created_at: iso(inc.createdAt),
    updated_at: iso(inc.updatedAt),
    status: inc.status,
    incident_key: inc.key,
    service: orFull(include, 'services', service, (s) => renderService(a, s), serviceRef(a, inc.service)),
    assignments: inc.assignments.map((x) => ({ at: iso(x.at), assignee: user(x.user, 'assignees') })),
    assigned_via: inc.assignedVia,
    last_status_change_at: iso(inc.lastChangeAt),
    last_status_change_by: include.has('agents') && fullAgent ? fullAgent : agentRef(a, agent),
    resolved_at: inc.resolvedAt === null ? null : iso(inc.resolvedAt),
    first_trigger_log_entry:
      trigger && include.has('first_trigger_log_entries')
        ? renderLogEntry(a, inc, trigger)
        : trigger
          ? { ...reference('log_entry', trigger.id, trigger.summary), type: 'trigger_log_entry_reference' }
          : null,
    alert_counts: { all: 1, triggered: open, resolved: 1 - open },
    is_mergeable: true,
    incident_type: { name: 'incident_default' },
    escalation_policy: orFull(
      include,
      'escalation_policies',
      a.policies.get(inc.policy),
      (p) => renderPolicy(a, p),
      policyRef(a, inc.policy),
    ),
    teams: (service?.teams ?? []).map((t) =>
      orFull(include, 'teams', a.teams.get(t), (x) => renderTeam(a, x), teamRef(a, t)),
    ),
    pending_actions: inc.pending.map((p) => ({ type: p.type, at: iso(p.at) })),
    acknowledgements: inc.acknowledgements.map((x) => ({
      at: iso(x.at),
      acknowledger: user(x.user, 'acknowledgers'),
    })),
    alert_grouping: null,
    basic_alert_grouping: null,
    priority: null,
    resolve_reason: null,
    incidents_responders: [],
    responder_requests: [],
    subscriber_requests: [],
    urgency: inc.urgency,
  };
  if (include.has('body')) out.body = { type: 'incident_body', details: inc.bodyDetails };
  return out;
}
