/**
 * The data behind one account of the fake PagerDuty API (fake-pagerduty.ts): the seed a test writes,
 * the state that requests change, and its rendering in PagerDuty's raw REST v2 shapes (references
 * carry `id, type, summary, self, html_url`; see contracts/pagerduty-fixtures/*_raw.json).
 *
 * Times are kept as epoch milliseconds and rendered in UTC (`2025-03-17T18:00:00Z`); the `time_zone`
 * parameters of the real API are not honoured.
 */

export const API_BASE = 'https://api.pagerduty.com';
export const WEB_BASE = 'https://fake.pagerduty.com';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export type Urgency = 'high' | 'low';
type Json = Record<string, unknown>;

export interface SeedUser {
  id: string;
  name: string;
  email: string;
  /** Team ids the user belongs to (as a `responder`). */
  teams?: string[];
  time_zone?: string;
  role?: 'admin' | 'limited_user' | 'observer' | 'owner' | 'read_only_user' | 'restricted_access' | 'user';
  job_title?: string;
  description?: string;
}

export interface SeedTeam {
  id: string;
  name: string;
  description?: string;
  parent?: string;
}

export interface SeedService {
  id: string;
  name: string;
  escalation_policy: string;
  teams?: string[];
  /** Only `disabled` and `maintenance` stick; otherwise computed from open incidents as PagerDuty does. */
  status?: 'active' | 'disabled' | 'maintenance';
  description?: string;
  created_at?: string;
}

export interface SeedEscalationPolicy {
  id: string;
  name: string;
  /** Rule n is escalation level n + 1. */
  rules: { delay?: number; targets: { type: 'user' | 'schedule'; id: string }[] }[];
  teams?: string[];
  description?: string;
  num_loops?: number;
}

export interface SeedSchedule {
  id: string;
  name: string;
  time_zone?: string;
  /** Defaults to the users of the schedule's shifts. */
  users?: string[];
  teams?: string[];
  description?: string;
}

/** Who is on call on a schedule and when. On-calls are derived from these and the policies' rules. */
export interface SeedShift {
  schedule: string;
  user: string;
  start: string;
  end: string;
}

export interface SeedIncident {
  id: string;
  /** Defaults to the position in the seed, counting from 1. */
  number?: number;
  title: string;
  service: string;
  status?: IncidentStatus;
  urgency?: Urgency;
  created_at?: string;
  resolved_at?: string;
  /** User ids; defaults to whoever the service's policy targets at level 1 (none once resolved). */
  assigned?: string[];
  incident_key?: string;
  /** Sent verbatim as `body.details` with `include[]=body`. */
  body_details?: unknown;
  escalation_level?: number;
  notes?: { user: string; content: string; created_at?: string }[];
}

export interface PagerDutySeed {
  /** The user `GET /users/me` answers with; without it the token acts as an account-level key. */
  me?: string;
  users?: SeedUser[];
  teams?: SeedTeam[];
  services?: SeedService[];
  escalation_policies?: SeedEscalationPolicy[];
  schedules?: SeedSchedule[];
  shifts?: SeedShift[];
  incidents?: SeedIncident[];
  abilities?: string[];
}

export const DEFAULT_ABILITIES = ['teams', 'urgencies', 'read_only_users', 'service_support_hours'];

interface Agent {
  type: 'user' | 'service';
  id: string;
}

export interface Interval {
  user: string;
  start: number;
  end: number;
}

export interface OverrideState extends Interval {
  id: string;
  schedule: string;
}

export interface NoteState {
  id: string;
  user: string;
  content: string;
  at: number;
}

export interface LogState {
  id: string;
  type: string;
  at: number;
  agent: Agent;
  channel: string;
  summary: string;
  note?: string;
  assignees?: string[];
}

export interface IncidentState {
  id: string;
  number: number;
  title: string;
  service: string;
  policy: string;
  status: IncidentStatus;
  urgency: Urgency;
  createdAt: number;
  updatedAt: number;
  key: string | null;
  bodyDetails: unknown;
  level: number;
  assignedVia: 'escalation_policy' | 'direct_assignment';
  assignments: { at: number; user: string }[];
  acknowledgements: { at: number; user: string }[];
  resolvedAt: number | null;
  lastChangeAt: number;
  lastChangeBy: Agent;
  pending: { type: 'unacknowledge' | 'escalate' | 'resolve'; at: number }[];
  notes: NoteState[];
  log: LogState[];
}

export interface OncallRow {
  policy: string;
  level: number;
  schedule: string | null;
  user: string;
  start: number | null;
  end: number | null;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function time(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`fake PagerDuty seed: ${what} is not a date: ${value}`);
  return ms;
}

const PLURAL: Record<string, string> = {
  user: 'users',
  team: 'teams',
  service: 'services',
  escalation_policy: 'escalation_policies',
  schedule: 'schedules',
  incident: 'incidents',
  log_entry: 'log_entries',
};

/** A reference as PagerDuty renders one: `{id, type: '<kind>_reference', summary, self, html_url}`. */
export function reference(kind: string, id: string, summary: string | null): Json {
  const plural = PLURAL[kind] ?? `${kind}s`;
  return {
    id,
    type: `${kind}_reference`,
    summary,
    self: `${API_BASE}/${plural}/${id}`,
    html_url: `${WEB_BASE}/${plural}/${id}`,
  };
}

/** One account's data. Lists keep seed order; the routes sort and filter. */
export class FakeAccount {
  readonly me: string | undefined;
  readonly abilities: string[];
  readonly users = new Map<string, SeedUser>();
  readonly teams = new Map<string, SeedTeam>();
  readonly services = new Map<string, SeedService>();
  readonly policies = new Map<string, SeedEscalationPolicy>();
  readonly schedules = new Map<string, SeedSchedule>();
  readonly shifts: (Interval & { schedule: string })[];
  readonly incidents: IncidentState[] = [];
  readonly overrides: OverrideState[] = [];
  private counter = 0;

  constructor(
    seed: PagerDutySeed,
    readonly now: () => number,
  ) {
    for (const u of seed.users ?? []) this.users.set(u.id, u);
    for (const t of seed.teams ?? []) this.teams.set(t.id, t);
    for (const s of seed.services ?? []) this.services.set(s.id, s);
    for (const p of seed.escalation_policies ?? []) this.policies.set(p.id, p);
    for (const s of seed.schedules ?? []) this.schedules.set(s.id, s);
    this.shifts = (seed.shifts ?? []).map((s, i) => ({
      schedule: s.schedule,
      user: s.user,
      start: time(s.start, `shifts[${i}].start`),
      end: time(s.end, `shifts[${i}].end`),
    }));
    this.me = seed.me;
    this.abilities = seed.abilities ?? DEFAULT_ABILITIES;
    this.validate(seed);
    (seed.incidents ?? []).forEach((inc, i) => {
      this.seedIncident(inc, i);
    });
  }

  /** Ids the fake makes up: `PF` and five base-36 digits, unique within the account. */
  nextId(): string {
    this.counter += 1;
    return `PF${this.counter.toString(36).toUpperCase().padStart(5, '0')}`;
  }

  userByEmail(email: string): SeedUser | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  incident(idOrNumber: string): IncidentState | undefined {
    return this.incidents.find((i) => i.id === idOrNumber || String(i.number) === idOrNumber);
  }

  // ── on-call ──────────────────────────────────────────────────────────────────────────────────

  /** A schedule's final entries: its shifts with overrides laid on top, sorted by start. */
  finalEntries(scheduleId: string): Interval[] {
    let out: Interval[] = this.shifts.filter((s) => s.schedule === scheduleId);
    const overrides = this.overrides
      .filter((o) => o.schedule === scheduleId)
      .sort((a, b) => a.start - b.start);
    for (const o of overrides) {
      const next: Interval[] = [];
      for (const e of out) {
        if (e.end <= o.start || e.start >= o.end) {
          next.push(e);
          continue;
        }
        if (e.start < o.start) next.push({ ...e, end: o.start });
        if (e.end > o.end) next.push({ ...e, start: o.end });
      }
      next.push({ user: o.user, start: o.start, end: o.end });
      out = next;
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** Every on-call the policies' rules give: schedule entries, and permanent ones for direct user targets. */
  oncalls(): OncallRow[] {
    const rows: OncallRow[] = [];
    for (const p of this.policies.values()) {
      p.rules.forEach((rule, i) => {
        for (const t of rule.targets) {
          if (t.type === 'user') {
            rows.push({ policy: p.id, level: i + 1, schedule: null, user: t.id, start: null, end: null });
            continue;
          }
          for (const e of this.finalEntries(t.id)) {
            rows.push({
              policy: p.id,
              level: i + 1,
              schedule: t.id,
              user: e.user,
              start: e.start,
              end: e.end,
            });
          }
        }
      });
    }
    return rows;
  }

  /** Users a policy's level targets at a time: direct users, and whoever is on call on its schedules. */
  targetsAt(policyId: string, level: number, at: number): string[] {
    const rule = this.policies.get(policyId)?.rules[level - 1];
    const users = (rule?.targets ?? []).flatMap((t) =>
      t.type === 'user'
        ? [t.id]
        : this.finalEntries(t.id).flatMap((e) => (e.start <= at && at < e.end ? [e.user] : [])),
    );
    return [...new Set(users)];
  }

  // ── incidents ────────────────────────────────────────────────────────────────────────────────

  log(
    inc: IncidentState,
    type: string,
    agent: Agent,
    summary: string,
    extra: Partial<LogState> = {},
  ): LogState {
    const entry: LogState = {
      id: this.nextId(),
      type,
      at: this.now(),
      agent,
      channel: 'api',
      summary,
      ...extra,
    };
    inc.log.push(entry);
    return entry;
  }

  private seedIncident(seed: SeedIncident, index: number): void {
    const service = this.services.get(seed.service);
    if (!service)
      throw new Error(`fake PagerDuty seed: incident ${seed.id} names unknown service ${seed.service}`);
    const createdAt = seed.created_at ? time(seed.created_at, `incidents[${index}].created_at`) : this.now();
    const status = seed.status ?? 'triggered';
    const level = seed.escalation_level ?? 1;
    const resolvedAt =
      status === 'resolved' ? (seed.resolved_at ? time(seed.resolved_at, 'resolved_at') : createdAt) : null;
    const assigned =
      status === 'resolved'
        ? []
        : (seed.assigned ?? this.targetsAt(service.escalation_policy, level, createdAt));
    const serviceAgent: Agent = { type: 'service', id: service.id };
    const inc: IncidentState = {
      id: seed.id,
      number: seed.number ?? index + 1,
      title: seed.title,
      service: service.id,
      policy: service.escalation_policy,
      status,
      urgency: seed.urgency ?? 'high',
      createdAt,
      updatedAt: resolvedAt ?? createdAt,
      key: seed.incident_key ?? null,
      bodyDetails: seed.body_details ?? null,
      level,
      assignedVia: seed.assigned ? 'direct_assignment' : 'escalation_policy',
      assignments: assigned.map((user) => ({ at: createdAt, user })),
      acknowledgements: status === 'acknowledged' ? assigned.map((user) => ({ at: createdAt, user })) : [],
      resolvedAt,
      lastChangeAt: resolvedAt ?? createdAt,
      lastChangeBy: serviceAgent,
      pending: [],
      notes: (seed.notes ?? []).map((n) => ({
        id: this.nextId(),
        user: n.user,
        content: n.content,
        at: n.created_at ? time(n.created_at, 'note created_at') : createdAt,
      })),
      log: [],
    };
    const entry = (type: string, at: number, agent: Agent, summary: string): LogState => {
      return { id: this.nextId(), type, at, agent, channel: 'api', summary };
    };
    inc.log.push(entry('trigger_log_entry', createdAt, serviceAgent, 'Triggered through the API.'));
    if (status === 'acknowledged' && assigned[0]) {
      inc.lastChangeBy = { type: 'user', id: assigned[0] };
      inc.log.push(entry('acknowledge_log_entry', createdAt, inc.lastChangeBy, 'Acknowledged.'));
    }
    if (resolvedAt !== null) inc.log.push(entry('resolve_log_entry', resolvedAt, serviceAgent, 'Resolved.'));
    this.incidents.push(inc);
  }

  private validate(seed: PagerDutySeed): void {
    const need = (map: Map<string, unknown>, id: string, what: string) => {
      if (!map.has(id)) throw new Error(`fake PagerDuty seed: ${what} names unknown id ${id}`);
    };
    if (seed.me) need(this.users, seed.me, 'me');
    for (const u of this.users.values()) for (const t of u.teams ?? []) need(this.teams, t, `user ${u.id}`);
    for (const s of this.services.values()) {
      need(this.policies, s.escalation_policy, `service ${s.id}`);
      for (const t of s.teams ?? []) need(this.teams, t, `service ${s.id}`);
    }
    for (const p of this.policies.values()) {
      for (const t of p.teams ?? []) need(this.teams, t, `escalation policy ${p.id}`);
      for (const rule of p.rules) {
        for (const t of rule.targets)
          need(t.type === 'user' ? this.users : this.schedules, t.id, `policy ${p.id}`);
      }
    }
    for (const s of this.schedules.values())
      for (const u of s.users ?? []) need(this.users, u, `schedule ${s.id}`);
    for (const s of this.shifts) {
      need(this.schedules, s.schedule, 'a shift');
      need(this.users, s.user, 'a shift');
    }
    for (const i of seed.incidents ?? []) {
      for (const u of [...(i.assigned ?? []), ...(i.notes ?? []).map((n) => n.user)]) {
        need(this.users, u, `incident ${i.id}`);
      }
    }
  }
}
