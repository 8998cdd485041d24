/**
 * The fake PagerDuty API's incident endpoints: list and filters, show, update (acknowledge, resolve,
 * reopen, reassign, escalate, title, urgency), create with incident_key de-duplication, snooze, notes,
 * log entries, past and related incidents. Every change writes the log entry PagerDuty would.
 *
 * Assumptions where PagerDuty's behaviour is not written down:
 * - GET /incidents: `until` defaults to now and `since` to one calendar month before `until`; a range
 *   over six months, or `until` before `since`, is a 400. `date_range=all` ignores both. Sorted by
 *   created_at then number, ascending, unless `sort_by` says otherwise.
 * - Status changes: resolving a resolved incident, moving an acknowledged one back to triggered, or
 *   reassigning/escalating a resolved one is a 400; reassigning or escalating an acknowledged incident
 *   makes it triggered again; acknowledging sets a pending `unacknowledge` 30 minutes later (the
 *   service's acknowledgement_timeout); only an acknowledged incident can be snoozed.
 * - POST /incidents with an incident_key that an open incident of the same service has: 400.
 * - Log entries newest first; notes oldest first.
 * - Past incidents: earlier incidents of the same service, scored by the overlap of their title words.
 *   Related incidents: other incidents of a service sharing a team, created within an hour, at most 20;
 *   without `additional_details[]=incident` each is `{id, title}`.
 */
import { renderIncident, renderLogEntry, renderNote } from './fake-pagerduty-render.js';
import {
  addMonths,
  badRequest,
  date,
  fromUser,
  type Handler,
  HOUR,
  incidentOf,
  includes,
  int,
  ok,
  paginate,
  type RouteContext,
} from './fake-pagerduty-routes.js';
import { API_BASE, type FakeAccount, type IncidentState, iso, type Urgency } from './fake-pagerduty-state.js';

interface IncidentChanges {
  status?: 'triggered' | 'acknowledged' | 'resolved';
  resolution?: string;
  title?: string;
  urgency?: Urgency;
  escalation_level?: number;
  escalation_policy?: { id: string };
  assignments?: { assignee: { id: string } }[];
}

interface NewIncident {
  title: string;
  service: { id: string };
  urgency?: Urgency;
  incident_key?: string;
  body?: { details?: unknown };
  escalation_policy?: { id: string };
  assignments?: { assignee: { id: string } }[];
}

const SORT_FIELDS: Record<string, (i: IncidentState) => number> = {
  incident_number: (i) => i.number,
  created_at: (i) => i.createdAt,
  resolved_at: (i) => i.resolvedAt ?? Number.POSITIVE_INFINITY,
  urgency: (i) => (i.urgency === 'high' ? 1 : 0),
};

function sortIncidents(q: URLSearchParams, list: IncidentState[]): IncidentState[] {
  const keys = q.getAll('sort_by').flatMap((v) => v.split(','));
  if (keys.length > 2) throw badRequest('sort_by takes at most two fields');
  const comparators = keys.map((key) => {
    const [field = '', dir = 'asc'] = key.split(':');
    const get = SORT_FIELDS[field];
    if (!get || (dir !== 'asc' && dir !== 'desc')) throw badRequest(`Invalid sort_by: ${key}`);
    return (x: IncidentState, y: IncidentState) => (get(x) - get(y)) * (dir === 'desc' ? -1 : 1);
  });
  comparators.push((x, y) => x.createdAt - y.createdAt || x.number - y.number);
  return [...list].sort((x, y) => {
    for (const c of comparators) {
      const d = c(x, y);
      if (d !== 0) return d;
    }
    return 0;
  });
}

function knownUsers(a: FakeAccount, assignments: { assignee: { id: string } }[]): string[] {
  const ids = assignments.map((x) => x.assignee.id);
  const unknown = ids.filter((id) => !a.users.has(id));
  if (unknown.length > 0) throw badRequest(`Assignee not found: ${unknown.join(', ')}`);
  return [...new Set(ids)];
}

function words(title: string): Set<string> {
  return new Set(title.toLowerCase().split(/\W+/).filter(Boolean));
}

function similarity(x: string, y: string): number {
  const a = words(x);
  const b = words(y);
  const shared = [...a].filter((w) => b.has(w)).length;
  const all = new Set([...a, ...b]).size;
  return all === 0 ? 0 : Math.round((shared / all) * 100) / 100;
}

function list({ account: a, query: q, now }: RouteContext): ReturnType<Handler> {
  const statuses = q.getAll('statuses[]');
  const urgencies = q.getAll('urgencies[]');
  const services = q.getAll('service_ids[]');
  const teams = q.getAll('team_ids[]');
  const users = q.getAll('user_ids[]');
  const key = q.get('incident_key');
  let since = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  if (q.get('date_range') !== 'all') {
    until = date(q, 'until') ?? now;
    since = date(q, 'since') ?? addMonths(until, -1);
    if (until < since) throw badRequest('The until time cannot be before the since time');
    if (until > addMonths(since, 6)) throw badRequest('Date range cannot be more than 6 months');
  }
  const found = a.incidents.filter((i) => {
    const serviceTeams = a.services.get(i.service)?.teams ?? [];
    return (
      i.createdAt >= since &&
      i.createdAt < until &&
      (statuses.length === 0 || statuses.includes(i.status)) &&
      (urgencies.length === 0 || urgencies.includes(i.urgency)) &&
      (services.length === 0 || services.includes(i.service)) &&
      (teams.length === 0 || teams.some((t) => serviceTeams.includes(t))) &&
      (users.length === 0 || i.assignments.some((x) => users.includes(x.user))) &&
      (key === null || i.key === key)
    );
  });
  return paginate(q, 'incidents', sortIncidents(q, found), (i) => renderIncident(a, i, includes(q)));
}

function update(ctx: RouteContext): ReturnType<Handler> {
  const a = ctx.account;
  const inc = incidentOf(ctx);
  const by = fromUser(ctx);
  const now = ctx.now;
  const agent = { type: 'user' as const, id: by.id };
  const changes = ((ctx.body as { incident?: IncidentChanges }).incident ?? {}) as IncidentChanges;
  const setStatus = (status: IncidentState['status']) => {
    inc.status = status;
    inc.lastChangeAt = now;
    inc.lastChangeBy = agent;
  };
  const retrigger = () => {
    if (inc.status !== 'acknowledged') return;
    setStatus('triggered');
    inc.acknowledgements = [];
    inc.pending = [];
  };
  const reopening =
    inc.status === 'resolved' && (changes.status === 'triggered' || changes.status === 'acknowledged');
  if (inc.status === 'resolved' && !reopening) {
    const reassigning =
      changes.assignments || changes.escalation_level !== undefined || changes.escalation_policy;
    if (changes.status === 'resolved' || reassigning) {
      throw badRequest('Incident Already Resolved');
    }
  }
  if (changes.status === 'triggered' && inc.status === 'acknowledged') {
    throw badRequest('An acknowledged incident cannot be moved back to triggered');
  }
  if (reopening) {
    inc.resolvedAt = null;
    inc.level = 1;
    inc.assignedVia = 'escalation_policy';
    const assigned = changes.status === 'acknowledged' ? [by.id] : a.targetsAt(inc.policy, 1, now);
    inc.assignments = assigned.map((user) => ({ at: now, user }));
    setStatus('triggered');
    a.log(inc, 'trigger_log_entry', agent, 'Reopened through the API.');
  }
  if (changes.status === 'acknowledged') {
    setStatus('acknowledged');
    inc.acknowledgements.push({ at: now, user: by.id });
    inc.pending = [{ type: 'unacknowledge', at: now + 30 * 60_000 }];
    a.log(inc, 'acknowledge_log_entry', agent, `Acknowledged by ${by.name}.`);
  }
  if (changes.status === 'resolved') {
    setStatus('resolved');
    inc.resolvedAt = now;
    inc.assignments = [];
    inc.acknowledgements = [];
    inc.pending = [];
    const note = changes.resolution === undefined ? {} : { note: changes.resolution };
    a.log(inc, 'resolve_log_entry', agent, `Resolved by ${by.name}.`, note);
  }
  if (changes.escalation_policy) {
    if (!a.policies.has(changes.escalation_policy.id)) throw badRequest('Escalation policy not found');
    inc.policy = changes.escalation_policy.id;
    inc.level = 1;
    inc.assignedVia = 'escalation_policy';
    inc.assignments = a.targetsAt(inc.policy, 1, now).map((user) => ({ at: now, user }));
    retrigger();
    a.log(inc, 'escalate_log_entry', agent, 'Escalation policy changed.', {
      assignees: inc.assignments.map((x) => x.user),
    });
  }
  if (changes.escalation_level !== undefined) {
    const levels = a.policies.get(inc.policy)?.rules.length ?? 0;
    if (changes.escalation_level < 1 || changes.escalation_level > levels) {
      throw badRequest(`Escalation level must be between 1 and ${levels}`);
    }
    inc.level = changes.escalation_level;
    inc.assignedVia = 'escalation_policy';
    inc.assignments = a.targetsAt(inc.policy, inc.level, now).map((user) => ({ at: now, user }));
    retrigger();
    const assignees = inc.assignments.map((x) => x.user);
    a.log(inc, 'escalate_log_entry', agent, `Escalated to level ${inc.level}.`, { assignees });
  }
  if (changes.assignments) {
    const users = knownUsers(a, changes.assignments);
    inc.assignments = users.map((user) => ({ at: now, user }));
    inc.assignedVia = 'direct_assignment';
    if (changes.status !== 'acknowledged') retrigger();
    a.log(inc, 'assign_log_entry', agent, `Assigned by ${by.name}.`, { assignees: users });
  }
  if (changes.title !== undefined) inc.title = changes.title;
  if (changes.urgency !== undefined && changes.urgency !== inc.urgency) {
    inc.urgency = changes.urgency;
    a.log(inc, 'urgency_change_log_entry', agent, `Urgency changed to ${changes.urgency}.`);
  }
  inc.updatedAt = now;
  return ok({ incident: renderIncident(a, inc) });
}

function create(ctx: RouteContext): ReturnType<Handler> {
  const a = ctx.account;
  const by = fromUser(ctx);
  const now = ctx.now;
  const asked = (ctx.body as { incident: NewIncident }).incident;
  const service = a.services.get(asked.service.id);
  if (!service) throw badRequest('Service not found');
  if (service.status === 'disabled') throw badRequest('Service is disabled');
  if (asked.assignments && asked.escalation_policy) {
    throw badRequest('Assignments cannot be specified if an escalation policy is given');
  }
  const key = asked.incident_key ?? null;
  if (
    key !== null &&
    a.incidents.some((i) => i.service === service.id && i.key === key && i.status !== 'resolved')
  ) {
    throw badRequest('Open incident with matching dedup key already exists on this service');
  }
  const policy = asked.escalation_policy?.id ?? service.escalation_policy;
  if (!a.policies.has(policy)) throw badRequest('Escalation policy not found');
  const assigned = asked.assignments ? knownUsers(a, asked.assignments) : a.targetsAt(policy, 1, now);
  const agent = { type: 'user' as const, id: by.id };
  const inc: IncidentState = {
    id: a.nextId(),
    number: Math.max(0, ...a.incidents.map((i) => i.number)) + 1,
    title: asked.title,
    service: service.id,
    policy,
    status: 'triggered',
    urgency: asked.urgency ?? 'high',
    createdAt: now,
    updatedAt: now,
    key,
    bodyDetails: asked.body?.details ?? null,
    level: 1,
    assignedVia: asked.assignments ? 'direct_assignment' : 'escalation_policy',
    assignments: assigned.map((user) => ({ at: now, user })),
    acknowledgements: [],
    resolvedAt: null,
    lastChangeAt: now,
    lastChangeBy: agent,
    pending: [],
    notes: [],
    log: [],
  };
  a.incidents.push(inc);
  a.log(inc, 'trigger_log_entry', agent, 'Triggered through the API.');
  return ok({ incident: renderIncident(a, inc) }, 201);
}

export const INCIDENT_ROUTES: Record<string, Handler> = {
  'GET /incidents': list,
  'GET /incidents/{id}': (ctx) =>
    ok({ incident: renderIncident(ctx.account, incidentOf(ctx), includes(ctx.query)) }),
  'PUT /incidents/{id}': update,
  'POST /incidents': create,
  'POST /incidents/{id}/snooze': (ctx) => {
    const inc = incidentOf(ctx);
    const by = fromUser(ctx);
    if (inc.status !== 'acknowledged') throw badRequest('Only an acknowledged incident can be snoozed');
    const duration = (ctx.body as { duration: number }).duration;
    inc.pending = [{ type: 'unacknowledge', at: ctx.now + duration * 1000 }];
    inc.updatedAt = ctx.now;
    ctx.account.log(inc, 'snooze_log_entry', { type: 'user', id: by.id }, `Snoozed for ${duration} seconds.`);
    return ok({ incident: renderIncident(ctx.account, inc) }, 201);
  },
  'GET /incidents/{id}/notes': (ctx) => {
    const inc = incidentOf(ctx);
    const notes = [...inc.notes].sort((x, y) => x.at - y.at);
    return ok({ notes: notes.map((n) => renderNote(ctx.account, n)) });
  },
  'POST /incidents/{id}/notes': (ctx) => {
    const inc = incidentOf(ctx);
    const by = fromUser(ctx);
    const content = (ctx.body as { note: { content: string } }).note.content;
    if (content.trim() === '') throw badRequest('Note content cannot be empty');
    const note = { id: ctx.account.nextId(), user: by.id, content, at: ctx.now };
    inc.notes.push(note);
    ctx.account.log(inc, 'annotate_log_entry', { type: 'user', id: by.id }, 'Note added.', { note: content });
    return ok({ note: renderNote(ctx.account, note) });
  },
  'GET /incidents/{id}/log_entries': (ctx) => {
    const inc = incidentOf(ctx);
    const since = date(ctx.query, 'since') ?? Number.NEGATIVE_INFINITY;
    const until = date(ctx.query, 'until') ?? Number.POSITIVE_INFINITY;
    const entries = inc.log.filter((e) => e.at >= since && e.at < until).sort((x, y) => y.at - x.at);
    return paginate(ctx.query, 'log_entries', entries, (e) => renderLogEntry(ctx.account, inc, e));
  },
  'GET /incidents/{id}/past_incidents': (ctx) => {
    const inc = incidentOf(ctx);
    const limit = int(ctx.query, 'limit', 5);
    const past = ctx.account.incidents
      .filter((i) => i.service === inc.service && i.createdAt < inc.createdAt)
      .map((i) => ({ i, score: similarity(i.title, inc.title) }))
      .sort((x, y) => y.score - x.score || y.i.createdAt - x.i.createdAt);
    const page = past.slice(0, limit).map(({ i, score }) => ({
      incident: {
        id: i.id,
        created_at: iso(i.createdAt),
        self: `${API_BASE}/incidents/${i.id}`,
        title: i.title,
      },
      score,
    }));
    return ok({ past_incidents: page, total: ctx.query.get('total') === 'true' ? past.length : null, limit });
  },
  'GET /incidents/{id}/related_incidents': (ctx) => {
    const a = ctx.account;
    const inc = incidentOf(ctx);
    const teams = a.services.get(inc.service)?.teams ?? [];
    const full = ctx.query.getAll('additional_details[]').includes('incident');
    const related = a.incidents
      .filter(
        (i) =>
          i !== inc &&
          Math.abs(i.createdAt - inc.createdAt) <= HOUR &&
          (a.services.get(i.service)?.teams ?? []).some((t) => teams.includes(t)),
      )
      .sort((x, y) => y.createdAt - x.createdAt)
      .slice(0, 20);
    return ok({
      related_incidents: related.map((i) => ({
        incident: full ? renderIncident(a, i) : { id: i.id, title: i.title },
        relationships: [
          {
            type: 'machine_learning_inferred',
            metadata: {
              grouping_classification: 'similar_contents',
              user_feedback: { positive_feedback_count: 0, negative_feedback_count: 0 },
            },
          },
        ],
      })),
    });
  },
};
