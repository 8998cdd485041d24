/**
 * The fake Pingera API's status-page incidents and their updates. See fake-pingera-pages.ts for what
 * the server has done before a handler runs.
 *
 * Assumptions where Pingera's behaviour is not written down:
 * - Incidents are listed newest first. Creating one adds its first update (its status and body); PUT or
 *   PATCH with `status` or `body` adds an update too, as Statuspage (whose model Pingera follows) does.
 *   The `components` map sets those components' statuses; its ids must be components of the page.
 *   Resolving sets `resolved_at`, monitoring `monitoring_at`; components are not restored by themselves.
 * - Incident updates are listed newest first; PUT and PATCH of one change its body or created_at. There
 *   is no GET or DELETE of one update: the server answers 405, as the path exists for PUT and PATCH.
 * - An incident renders the maintenance fields (scheduled_*, auto_transition_*) as null or false unless
 *   seeded (`extra`), and the postmortem fields as null.
 */
import {
  bodyOf,
  created,
  found,
  type Handler,
  invalid,
  iso,
  NO_CONTENT,
  newestFirst,
  ok,
  type RouteContext,
} from './fake-pingera-kit.js';
import type {
  ComponentStatus,
  IncidentState,
  IncidentStatus,
  IncidentUpdateState,
} from './fake-pingera-model.js';
import { pageOf } from './fake-pingera-pages.js';

type Json = Record<string, unknown>;

const COMPONENT_STATUSES = new Set<string>([
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
]);

// ── rendering ───────────────────────────────────────────────────────────────────────────────────

function renderUpdate(u: IncidentUpdateState): Json {
  return {
    id: u.id,
    incident_id: u.incidentId,
    status: u.status,
    body: u.body,
    components: u.components,
    deliver_notifications: u.deliverNotifications,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
  };
}

function renderIncident(i: IncidentState): Json {
  return {
    id: i.id,
    page_id: i.pageId,
    name: i.name,
    status: i.status,
    impact: i.impact,
    body: i.updates.at(-1)?.body ?? null,
    deliver_notifications: i.deliverNotifications,
    components: i.components,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    resolved_at: iso(i.resolvedAt),
    monitoring_at: iso(i.monitoringAt),
    incident_updates: newestFirst(i.updates).map(renderUpdate),
    postmortem_body: null,
    postmortem_published_at: null,
    postmortem_body_last_updated_at: null,
    metadata: {},
    reminder_intervals: null,
    scheduled_for: null,
    scheduled_until: null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_auto_in_progress: false,
    scheduled_auto_completed: false,
    auto_transition_to_maintenance_state: false,
    auto_transition_to_operational_state: false,
    auto_transition_deliver_notifications_at_start: false,
    auto_transition_deliver_notifications_at_end: false,
    ...i.extra,
  };
}

// ── lookups and changes ─────────────────────────────────────────────────────────────────────────

function incidentOf(ctx: RouteContext): IncidentState {
  const page = pageOf(ctx);
  const i = ctx.account.incidents.get(ctx.params.incident_id ?? '');
  return found(i?.pageId === page.id ? i : undefined, 'Incident');
}

/** The `components` map of an incident body, checked against the page, applied to the components. */
function applyIncidentComponents(
  ctx: RouteContext,
  pageId: string,
  map: unknown,
): Record<string, string> | undefined {
  if (typeof map !== 'object' || map === null) return undefined;
  const out: Record<string, string> = {};
  for (const [id, status] of Object.entries(map as Json)) {
    const c = ctx.account.components.get(id);
    if (!c || c.pageId !== pageId || c.deletedAt !== null)
      throw invalid('components', `Component ${id} not found on this page.`);
    if (typeof status !== 'string' || !COMPONENT_STATUSES.has(status)) {
      throw invalid('components', `Invalid status for component ${id}: ${String(status)}.`);
    }
    out[id] = status;
  }
  for (const [id, status] of Object.entries(out)) {
    const c = ctx.account.components.get(id);
    if (c) {
      c.status = status as ComponentStatus;
      c.updatedAt = ctx.now;
    }
  }
  return out;
}

function setIncidentStatus(i: IncidentState, status: IncidentStatus, at: number): void {
  i.status = status;
  i.resolvedAt = status === 'resolved' ? (i.resolvedAt ?? at) : null;
  if (status === 'monitoring') i.monitoringAt ??= at;
  i.updatedAt = at;
}

function addUpdate(
  ctx: RouteContext,
  i: IncidentState,
  status: IncidentStatus,
  body: string,
  notify: unknown,
) {
  const u: IncidentUpdateState = {
    id: ctx.account.ids.next('iu'),
    incidentId: i.id,
    status,
    body,
    components: { ...i.components },
    deliverNotifications: notify !== false,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  i.updates.push(u);
  setIncidentStatus(i, status, ctx.now);
  return u;
}

function editIncident(ctx: RouteContext): Json {
  const i = incidentOf(ctx);
  const b = bodyOf(ctx);
  if (typeof b.name === 'string') i.name = b.name;
  if (typeof b.impact === 'string') i.impact = b.impact;
  if (typeof b.deliver_notifications === 'boolean') i.deliverNotifications = b.deliver_notifications;
  const components = applyIncidentComponents(ctx, i.pageId, b.components);
  if (components) i.components = { ...i.components, ...components };
  if (typeof b.status === 'string' || typeof b.body === 'string') {
    const status = (typeof b.status === 'string' ? b.status : i.status) as IncidentStatus;
    addUpdate(ctx, i, status, typeof b.body === 'string' ? b.body : '', b.deliver_notifications);
  }
  i.updatedAt = ctx.now;
  return renderIncident(i);
}

function editUpdate(ctx: RouteContext): Json {
  const i = incidentOf(ctx);
  const u = found(
    i.updates.find((x) => x.id === ctx.params.incident_update_id),
    'Incident update',
  );
  const b = bodyOf(ctx);
  if (typeof b.body === 'string') u.body = b.body;
  if (typeof b.created_at === 'string') u.createdAt = Date.parse(b.created_at);
  u.updatedAt = ctx.now;
  return renderUpdate(u);
}

// ── routes ──────────────────────────────────────────────────────────────────────────────────────

const incidents: Record<string, Handler> = {
  'GET /v1/pages/{page_id}/incidents': (ctx) => {
    const page = pageOf(ctx);
    const component = ctx.query.get('component_id');
    const list = [...ctx.account.incidents.values()].filter(
      (i) => i.pageId === page.id && (!component || component in i.components),
    );
    return ok(newestFirst(list).map(renderIncident));
  },
  'GET /v1/pages/{page_id}/incidents/unresolved': (ctx) => {
    const page = pageOf(ctx);
    const list = [...ctx.account.incidents.values()].filter(
      (i) => i.pageId === page.id && i.status !== 'resolved',
    );
    return ok(newestFirst(list).map(renderIncident));
  },
  'POST /v1/pages/{page_id}/incidents': (ctx) => {
    const page = pageOf(ctx);
    const b = bodyOf(ctx);
    const i: IncidentState = {
      id: ctx.account.ids.next('in'),
      pageId: page.id,
      name: String(b.name),
      status: b.status as IncidentStatus,
      impact: typeof b.impact === 'string' ? b.impact : null,
      deliverNotifications: b.deliver_notifications !== false,
      components: applyIncidentComponents(ctx, page.id, b.components) ?? {},
      createdAt: ctx.now,
      updatedAt: ctx.now,
      resolvedAt: null,
      monitoringAt: null,
      updates: [],
      extra: {},
    };
    addUpdate(ctx, i, i.status, typeof b.body === 'string' ? b.body : '', b.deliver_notifications);
    ctx.account.incidents.set(i.id, i);
    return created(renderIncident(i));
  },
  'GET /v1/pages/{page_id}/incidents/{incident_id}': (ctx) => ok(renderIncident(incidentOf(ctx))),
  'PUT /v1/pages/{page_id}/incidents/{incident_id}': (ctx) => ok(editIncident(ctx)),
  'PATCH /v1/pages/{page_id}/incidents/{incident_id}': (ctx) => ok(editIncident(ctx)),
  'DELETE /v1/pages/{page_id}/incidents/{incident_id}': (ctx) => {
    ctx.account.incidents.delete(incidentOf(ctx).id);
    return NO_CONTENT;
  },
  'GET /v1/pages/{page_id}/incidents/{incident_id}/incident_updates': (ctx) =>
    ok(newestFirst(incidentOf(ctx).updates).map(renderUpdate)),
  'POST /v1/pages/{page_id}/incidents/{incident_id}/incident_updates': (ctx) => {
    const i = incidentOf(ctx);
    const b = bodyOf(ctx);
    return created(
      renderUpdate(addUpdate(ctx, i, b.status as IncidentStatus, String(b.body), b.deliver_notifications)),
    );
  },
  'PUT /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}': (ctx) =>
    ok(editUpdate(ctx)),
  'PATCH /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}': (ctx) =>
    ok(editUpdate(ctx)),
};

/** Status-page incidents and their updates. */
export const INCIDENT_ROUTES: Record<string, Handler> = incidents;
