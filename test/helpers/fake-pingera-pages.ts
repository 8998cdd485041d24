/**
 * The fake Pingera API's status-page endpoints for pages, components and component groups, keyed by
 * `METHOD template` as the spec spells the path (incidents are in fake-pingera-incidents.ts). The server
 * (fake-pingera.ts) has already authenticated the request and answered contract violations in query
 * values and bodies with 422, so a handler may trust the body's shape.
 *
 * Assumptions where Pingera's behaviour is not written down:
 * - GET /v1/pages answers `{pages, pagination}` (page_size default 20), or with the fake's
 *   `pagesAsArray` the bare array of every page, as the August 2025 spec excerpt has it. PUT and PATCH
 *   both merge (the spec gives both the all-optional `Page1`). A page renders the fields it was given
 *   over defaults for the common ones (language `en`, time_zone `UTC`, subscriber switches).
 * - GET /v1/pages/by-domain/{domain} (no auth) finds a page of any account by `domain`, by `subdomain`,
 *   or by `<subdomain>.pingera.ru`.
 * - GET …/components lists the page's components, groups only with show_groups=true and soft-deleted
 *   ones (rendered with `deleted_at`) only with show_deleted=true, by position. A component's
 *   `group_id` must name a group of the same page (422 otherwise). DELETE of a component is soft,
 *   of a group hard, and ungroups its members (the spec's descriptions say so).
 * - …/component-groups/{id} answers 404 for a component that is not a group; …/components/{id}
 *   answers groups too.
 * - GET …/components/{id}/uptime (no schema in the spec) answers `{component_id, start, end,
 *   uptime_percentage, outages}`: the share of the window (default the last 30 days) not covered by
 *   incidents that put the component in partial_outage or major_outage.
 */
import {
  bodyOf,
  created,
  DAY,
  date,
  found,
  type Handler,
  invalid,
  iso,
  NO_CONTENT,
  notFound,
  ok,
  paginate,
  pick,
  type RouteContext,
} from './fake-pingera-kit.js';
import type { ComponentState, ComponentStatus, PageState } from './fake-pingera-model.js';
import type { PingeraAccount } from './fake-pingera-state.js';

type Json = Record<string, unknown>;

const PAGE_DEFAULTS: Json = {
  subdomain: null,
  domain: null,
  headline: null,
  page_description: null,
  url: null,
  language: 'en',
  time_zone: 'UTC',
  viewers_must_be_team_members: false,
  hidden_from_search: false,
  allow_page_subscribers: true,
  allow_incident_subscribers: true,
  allow_email_subscribers: true,
  allow_sms_subscribers: false,
  allow_webhook_subscribers: false,
  allow_rss_atom_feeds: true,
  template_id: null,
};

const OUTAGE = new Set<string>(['partial_outage', 'major_outage']);

// ── rendering ───────────────────────────────────────────────────────────────────────────────────

export function renderPage(a: PingeraAccount, p: PageState): Json {
  return {
    ...PAGE_DEFAULTS,
    ...p.fields,
    id: p.id,
    organization_id: a.organizationId,
    template: null,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

function renderComponent(c: ComponentState): Json {
  return {
    id: c.id,
    page_id: c.pageId,
    name: c.name,
    description: c.description,
    group: c.group,
    group_id: c.groupId,
    only_show_if_degraded: c.onlyShowIfDegraded,
    position: c.position,
    showcase: c.showcase,
    start_date: iso(c.startDate),
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    ...(c.deletedAt !== null && { deleted_at: iso(c.deletedAt) }),
  };
}

// ── lookups and changes ─────────────────────────────────────────────────────────────────────────

export function pageOf(ctx: RouteContext): PageState {
  return found(ctx.account.pages.get(ctx.params.page_id ?? ''), 'Page');
}

function componentOf(ctx: RouteContext, groupsOnly = false): ComponentState {
  const page = pageOf(ctx);
  const c = ctx.account.components.get(ctx.params.component_id ?? '');
  const live = c && c.pageId === page.id && c.deletedAt === null && (!groupsOnly || c.group);
  return found(live ? c : undefined, groupsOnly ? 'Component group' : 'Component');
}

function applyComponent(ctx: RouteContext, c: ComponentState, b: Json): void {
  if (typeof b.name === 'string') c.name = b.name;
  if (typeof b.description === 'string') c.description = b.description;
  if (typeof b.group === 'boolean') c.group = b.group;
  if (typeof b.position === 'number') c.position = b.position;
  if (typeof b.showcase === 'boolean') c.showcase = b.showcase;
  if (typeof b.only_show_if_degraded === 'boolean') c.onlyShowIfDegraded = b.only_show_if_degraded;
  if (typeof b.status === 'string') c.status = b.status as ComponentStatus;
  if (typeof b.start_date === 'string') c.startDate = Date.parse(b.start_date);
  if (typeof b.group_id === 'string') {
    const g = ctx.account.components.get(b.group_id);
    if (!g || g.pageId !== c.pageId || !g.group || g.deletedAt !== null || g.id === c.id) {
      throw invalid('group_id', 'Component group not found on this page.');
    }
    c.groupId = g.id;
  }
  c.updatedAt = ctx.now;
}

function createComponent(ctx: RouteContext, asGroup: boolean): ComponentState {
  const page = pageOf(ctx);
  const b = bodyOf(ctx);
  const siblings = [...ctx.account.components.values()].filter((c) => c.pageId === page.id);
  const c: ComponentState = {
    id: ctx.account.ids.next('cm'),
    pageId: page.id,
    name: String(b.name),
    description: null,
    group: asGroup,
    groupId: null,
    position: siblings.length,
    showcase: true,
    onlyShowIfDegraded: false,
    startDate: null,
    status: 'operational',
    createdAt: ctx.now,
    updatedAt: ctx.now,
    deletedAt: null,
  };
  applyComponent(ctx, c, asGroup ? { ...b, group: true } : b);
  ctx.account.components.set(c.id, c);
  return c;
}

function deleteComponent(ctx: RouteContext, c: ComponentState): void {
  if (!c.group) {
    c.deletedAt = ctx.now;
    return;
  }
  ctx.account.components.delete(c.id);
  for (const member of ctx.account.components.values()) if (member.groupId === c.id) member.groupId = null;
}

function uptime(ctx: RouteContext, c: ComponentState): Json {
  const end = date(ctx.query, 'end') ?? ctx.now;
  const start = date(ctx.query, 'start') ?? end - 30 * DAY;
  if (end <= start) throw invalid('end', 'end must be after start.', 'query');
  let down = 0;
  let outages = 0;
  for (const i of ctx.account.incidents.values()) {
    const status = i.components[c.id];
    if (i.pageId !== c.pageId || !status || !OUTAGE.has(status)) continue;
    const from = Math.max(start, i.createdAt);
    const to = Math.min(end, i.resolvedAt ?? ctx.now);
    if (to > from) {
      down += to - from;
      outages += 1;
    }
  }
  const percentage = Math.round((1 - down / (end - start)) * 1_000_000) / 10_000;
  return { component_id: c.id, start: iso(start), end: iso(end), uptime_percentage: percentage, outages };
}

// ── routes ──────────────────────────────────────────────────────────────────────────────────────

const byPosition = (x: ComponentState, y: ComponentState) =>
  x.position - y.position || x.createdAt - y.createdAt;

const pages: Record<string, Handler> = {
  'GET /v1/pages': (ctx) => {
    const all = [...ctx.account.pages.values()].sort((x, y) => x.createdAt - y.createdAt);
    if (ctx.pagesAsArray) return ok(all.map((p) => renderPage(ctx.account, p)));
    return paginate(ctx.query, 'pages', all, (p) => renderPage(ctx.account, p));
  },
  'POST /v1/pages': (ctx) => {
    const page: PageState = {
      id: ctx.account.ids.next('pg'),
      fields: bodyOf(ctx),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.account.pages.set(page.id, page);
    // The spec declares 200, not 201, for this create.
    return ok(renderPage(ctx.account, page));
  },
  'GET /v1/pages/{page_id}': (ctx) => ok(renderPage(ctx.account, pageOf(ctx))),
  'PUT /v1/pages/{page_id}': (ctx) => editPage(ctx),
  'PATCH /v1/pages/{page_id}': (ctx) => editPage(ctx),
  'DELETE /v1/pages/{page_id}': (ctx) => {
    const page = pageOf(ctx);
    const a = ctx.account;
    a.pages.delete(page.id);
    for (const c of [...a.components.values()]) if (c.pageId === page.id) a.components.delete(c.id);
    for (const i of [...a.incidents.values()]) if (i.pageId === page.id) a.incidents.delete(i.id);
    return NO_CONTENT;
  },
  'GET /v1/pages/by-domain/{domain}': (ctx) => {
    const domain = (ctx.params.domain ?? '').toLowerCase();
    for (const a of ctx.accounts) {
      for (const p of a.pages.values()) {
        const sub = typeof p.fields.subdomain === 'string' ? p.fields.subdomain.toLowerCase() : undefined;
        const own = typeof p.fields.domain === 'string' ? p.fields.domain.toLowerCase() : undefined;
        if (own === domain || sub === domain || (sub && `${sub}.pingera.ru` === domain))
          return ok(renderPage(a, p));
      }
    }
    throw notFound('Page');
  },
};

function editPage(ctx: RouteContext) {
  const page = pageOf(ctx);
  page.fields = { ...page.fields, ...bodyOf(ctx) };
  page.updatedAt = ctx.now;
  return ok(renderPage(ctx.account, page));
}

const COMPONENT_FIELDS = [
  'name',
  'description',
  'group',
  'group_id',
  'position',
  'showcase',
  'only_show_if_degraded',
  'status',
  'start_date',
];

const components: Record<string, Handler> = {
  'GET /v1/pages/{page_id}/components': (ctx) => {
    const page = pageOf(ctx);
    const showGroups = ctx.query.get('show_groups') === 'true';
    const showDeleted = ctx.query.get('show_deleted') === 'true';
    const list = [...ctx.account.components.values()].filter(
      (c) => c.pageId === page.id && (showGroups || !c.group) && (showDeleted || c.deletedAt === null),
    );
    return ok(list.sort(byPosition).map(renderComponent));
  },
  'POST /v1/pages/{page_id}/components': (ctx) => created(renderComponent(createComponent(ctx, false))),
  'GET /v1/pages/{page_id}/components/{component_id}': (ctx) => ok(renderComponent(componentOf(ctx))),
  'PUT /v1/pages/{page_id}/components/{component_id}': (ctx) => {
    const c = componentOf(ctx);
    applyComponent(ctx, c, pick(bodyOf(ctx), COMPONENT_FIELDS));
    return ok(renderComponent(c));
  },
  'PATCH /v1/pages/{page_id}/components/{component_id}': (ctx) => {
    const c = componentOf(ctx);
    applyComponent(ctx, c, pick(bodyOf(ctx), COMPONENT_FIELDS));
    return ok(renderComponent(c));
  },
  'DELETE /v1/pages/{page_id}/components/{component_id}': (ctx) => {
    deleteComponent(ctx, componentOf(ctx));
    return NO_CONTENT;
  },
  'GET /v1/pages/{page_id}/components/{component_id}/uptime': (ctx) => ok(uptime(ctx, componentOf(ctx))),
  'GET /v1/pages/{page_id}/component-groups': (ctx) => {
    const page = pageOf(ctx);
    const list = [...ctx.account.components.values()].filter((c) => c.pageId === page.id && c.group);
    return ok(list.sort(byPosition).map(renderComponent));
  },
  'POST /v1/pages/{page_id}/component-groups': (ctx) => created(renderComponent(createComponent(ctx, true))),
  'GET /v1/pages/{page_id}/component-groups/{component_id}': (ctx) =>
    ok(renderComponent(componentOf(ctx, true))),
  'PUT /v1/pages/{page_id}/component-groups/{component_id}': (ctx) => {
    const c = componentOf(ctx, true);
    applyComponent(ctx, c, { ...pick(bodyOf(ctx), COMPONENT_FIELDS), group: true });
    return ok(renderComponent(c));
  },
  'PATCH /v1/pages/{page_id}/component-groups/{component_id}': (ctx) => {
    const c = componentOf(ctx, true);
    applyComponent(ctx, c, { ...pick(bodyOf(ctx), COMPONENT_FIELDS), group: true });
    return ok(renderComponent(c));
  },
  'DELETE /v1/pages/{page_id}/component-groups/{component_id}': (ctx) => {
    deleteComponent(ctx, componentOf(ctx, true));
    return NO_CONTENT;
  },
};

/** Pages, components and component groups. */
export const PAGE_ROUTES: Record<string, Handler> = { ...pages, ...components };
