/**
 * The status_pages toolset, part one: pages and components, with the Pingera seed's names and
 * parameters. A page is named by its id or its subdomain. update_* and patch_* both change only
 * the fields given, as Pingera's PUT and PATCH both do.
 */
import { z } from 'zod';
import type { Page } from '../core/directory.js';
import { NotFoundError } from '../core/errors.js';
import { MAX_LIMIT } from '../core/pagination.js';
import {
  COMPONENT_STATUSES,
  type ComponentStatus,
  MAX_CHECKS_PER_COMPONENT,
  PAGE_LANGUAGES,
  type StatusPage,
  worst,
} from '../core/status-pages.js';
import { TimeZone } from '../core/time-zone.js';
import { CREATE, DELETE, defineTool, READ, type ToolContext, UPDATE } from './define-tool.js';
import { componentItem, statusPageItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';
import { timestamp } from './time.js';

export const pageId = z
  .string()
  .min(1, 'page_id cannot be empty')
  .max(100, 'page_id is longer than any id or subdomain')
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, {
    error: (iss) =>
      `Invalid page_id format: '${String(iss.input)}'. Give a page ID or subdomain (letters, digits, hyphens).`,
  })
  .describe('Page ID or subdomain.');

export const componentId = p.id('component_id');

/** Text fields take "" to clear them (no `null`, to keep tools/list short). */
const link = (what: string) =>
  z
    .string()
    .max(200)
    .regex(/^(https?:\/\/\S+)?$/, `${what} must be an http(s) URL`);

const pageFields = {
  subdomain: z
    .string()
    .max(100)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/, 'subdomain takes letters, digits and inner hyphens')
    .nullable()
    .describe('Unique; serves it at /status/<subdomain>.'),
  domain: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, {
      error: 'domain must be a host name such as status.example.com',
    })
    .nullable()
    .describe('Custom domain.'),
  url: link('url').describe('Company site.'),
  language: z.enum(PAGE_LANGUAGES).describe('Page language.'),
  headline: z.string().max(200).describe('Headline.'),
  page_description: z.string().max(1000).describe('Description.'),
  time_zone: z
    .string()
    .max(64)
    .refine(TimeZone.isValid, { error: (i) => `Unknown time zone '${String(i.input)}': use an IANA name.` })
    .describe('IANA zone (default UTC).'),
  country: z.string().max(100).describe('Country.'),
  city: z.string().max(100).describe('City.'),
  state: z.string().max(100).describe('State or region.'),
  viewers_must_be_team_members: z.boolean().describe('Private page.'),
  hidden_from_search: z.boolean().describe('noindex.'),
  allow_page_subscribers: z.boolean().describe('Subscriptions.'),
  allow_incident_subscribers: z.boolean().describe('Incident subscriptions.'),
  allow_email_subscribers: z.boolean().describe('Email subscribers.'),
  allow_sms_subscribers: z.boolean().describe('SMS subscribers.'),
  allow_webhook_subscribers: z.boolean().describe('Webhook subscribers.'),
  allow_rss_atom_feeds: z.boolean().describe('Feeds (default true).'),
  support_url: link('support_url').describe('Support URL.'),
};
const optionalPageFields = Object.fromEntries(
  Object.entries(pageFields).map(([k, v]) => [k, v.optional()]),
) as { [K in keyof typeof pageFields]: z.ZodOptional<(typeof pageFields)[K]> };
const pageName = z.string().trim().min(1, 'name cannot be empty').max(100).describe('Page name.');

/** Every item of a port's list, a thousand at a time. */
async function everything<T>(list: (limit: number, offset: number) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const page = await list(MAX_LIMIT, out.length);
    out.push(...page.items);
    if (!page.more || page.items.length === 0) return out;
  }
}

/** A page's overall status, as its banner shows it: its worst component's (operational if none). */
async function overallStatus(ctx: ToolContext, pageId: string): Promise<ComponentStatus> {
  const components = await everything((limit, offset) =>
    ctx.ports.statusPages.listComponents(pageId, { limit, offset }),
  );
  return worst(components.map((c) => c.status));
}

export const listPages = defineTool({
  name: 'list_pages',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'pages',
  output: statusPageItem,
  annotations: READ,
  description: 'List status pages, with their settings.',
  narrowHint: 'Narrow with `status`.',
  input: z.strictObject({
    status: z
      .enum(COMPONENT_STATUSES)
      .optional()
      .describe("Only pages whose overall status (their worst component's) is this."),
    page: page.optional(),
    per_page: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging({ ...args, page_size: args.per_page }, { status: args.status });
    if (args.status === undefined) {
      const result = await ctx.ports.statusPages.listPages({ limit: paged.limit, offset: paged.offset });
      return { items: result.items, page: paged.info(result) };
    }
    // Pages have no status of their own: each one's is worked out from its components.
    const all = await everything((limit, offset) => ctx.ports.statusPages.listPages({ limit, offset }));
    const matching: StatusPage[] = [];
    // A few pages at a time: a SaaS provider answers one request per page.
    for (let i = 0; i < all.length; i += 8) {
      const batch = all.slice(i, i + 8);
      const statuses = await Promise.all(batch.map((pg) => overallStatus(ctx, pg.id)));
      matching.push(...batch.filter((_, j) => statuses[j] === args.status));
    }
    const items = matching.slice(paged.offset, paged.offset + paged.limit);
    return { items, page: paged.info({ more: paged.offset + items.length < matching.length }) };
  },
});

export const getPageDetails = defineTool({
  name: 'get_page_details',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'pages',
  output: statusPageItem,
  annotations: READ,
  description: 'One status page, by ID or subdomain, with all its settings.',
  input: z.strictObject({ page_id: pageId, include: p.include.optional() }),
  async handler(args, ctx) {
    const found = await ctx.ports.statusPages.getPage(args.page_id);
    if (!found) throw new NotFoundError('status page', args.page_id, 'page_id');
    return { items: [found] };
  },
});

export const createPage = defineTool({
  name: 'create_page',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'pages',
  output: statusPageItem,
  annotations: CREATE,
  description: 'Create a status page; a subdomain serves it at /status/<subdomain>.',
  input: z.strictObject({ name: pageName, ...optionalPageFields }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.statusPages.createPage(args)] };
  },
});

const changePage = (name: 'update_page' | 'patch_page', description: string) =>
  defineTool({
    name,
    toolset: 'status_pages',
    port: 'statusPages',
    resource: 'pages',
    output: statusPageItem,
    annotations: UPDATE,
    description,
    input: z.strictObject({ page_id: pageId, name: pageName.optional(), ...optionalPageFields }),
    async handler({ page_id, ...fields }, ctx) {
      p.requireChange(fields, 'page_id');
      return { items: [await ctx.ports.statusPages.updatePage(page_id, fields)] };
    },
  });

export const updatePage = changePage(
  'update_page',
  'Change a status page; only the fields given change (same as patch_page).',
);
export const patchPage = changePage('patch_page', 'Change some fields of a status page; others stay.');

export const deletePage = defineTool({
  name: 'delete_page',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'pages',
  output: statusPageItem,
  annotations: DELETE,
  description: 'Delete a status page with its components and incidents.',
  input: z.strictObject({ page_id: pageId }),
  async handler(args, ctx) {
    const deleted = await ctx.ports.statusPages.deletePage(args.page_id);
    return { items: [deleted], description: `Deleted status page ${deleted.id}` };
  },
});

const componentFields = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('Name, e.g. API.'),
  description: z.string().max(1000).nullable().describe('What it is.'),
  group: z.boolean().describe('A group of components.'),
  group_id: p.id('group_id').nullable().describe('Its group, or null.'),
  only_show_if_degraded: z.boolean().describe('Hide while operational.'),
  position: z.number().int().min(0).max(100_000).describe('Display order (default: last).'),
  showcase: z.boolean().describe('Show it on the page (default true).'),
  start_date: z.string().max(64).nullable().describe('ISO 8601 date it started.'),
  status: z.enum(COMPONENT_STATUSES).describe('Own status; an open incident naming it overrides.'),
  check_ids: z
    .array(z.string().max(64))
    .max(MAX_CHECKS_PER_COMPONENT)
    .describe('Checks its status follows (worst wins); [] unlinks.'),
  automation_delay_seconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .describe('Seconds a check status must last to show (default 60).'),
};

/** Normalises start_date to UTC ISO text. */
function withStartDate<T extends { start_date?: string | null | undefined }>(args: T): T {
  if (args.start_date == null) return args;
  return { ...args, start_date: timestamp(args.start_date, 'start_date') };
}

export const listComponentGroups = defineTool({
  name: 'list_component_groups',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'components',
  output: componentItem,
  annotations: READ,
  description: "A status page's component groups (components with group=true); status is the worst member's.",
  input: z.strictObject({
    page_id: pageId,
    show_deleted: z.boolean().default(false).describe('Ignored.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const items = await everything((limit, offset) =>
      ctx.ports.statusPages.listComponents(args.page_id, { groups: true, limit, offset }),
    );
    return { items };
  },
});

export const listComponents = defineTool({
  name: 'list_components',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'components',
  output: componentItem,
  annotations: READ,
  description: "A status page's components and groups, in display order.",
  input: z.strictObject({
    page_id: pageId,
    page: page.optional(),
    page_size: pageSize.optional(),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, { page_id: args.page_id });
    const result = await ctx.ports.statusPages.listComponents(args.page_id, {
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const getComponentDetails = defineTool({
  name: 'get_component_details',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'components',
  output: componentItem,
  annotations: READ,
  description: 'One component of a status page.',
  input: z.strictObject({ page_id: pageId, component_id: componentId, include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.statusPages.getComponent(args.page_id, args.component_id)] };
  },
});

export const createComponent = defineTool({
  name: 'create_component',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'components',
  output: componentItem,
  annotations: CREATE,
  description: 'Add a component or group (group=true) to a status page.',
  input: z.strictObject({
    page_id: pageId,
    name: componentFields.name,
    description: componentFields.description.optional(),
    group: componentFields.group.default(false),
    group_id: componentFields.group_id.optional(),
    only_show_if_degraded: componentFields.only_show_if_degraded.optional(),
    position: componentFields.position.optional(),
    showcase: componentFields.showcase.optional(),
    start_date: componentFields.start_date.optional(),
    status: componentFields.status.optional(),
    check_ids: componentFields.check_ids.optional(),
    automation_delay_seconds: componentFields.automation_delay_seconds.optional(),
  }),
  async handler({ page_id, ...fields }, ctx) {
    return { items: [await ctx.ports.statusPages.createComponent(page_id, withStartDate(fields))] };
  },
});

const changeComponent = (name: 'update_component' | 'patch_component', description: string) =>
  defineTool({
    name,
    toolset: 'status_pages',
    port: 'statusPages',
    resource: 'components',
    output: componentItem,
    annotations: UPDATE,
    description,
    input: z.strictObject({
      page_id: pageId,
      component_id: componentId,
      ...Object.fromEntries(Object.entries(componentFields).map(([k, v]) => [k, v.optional()])),
    } as {
      page_id: typeof pageId;
      component_id: typeof componentId;
    } & { [K in keyof typeof componentFields]: z.ZodOptional<(typeof componentFields)[K]> }),
    async handler({ page_id, component_id, ...fields }, ctx) {
      p.requireChange(fields, 'component_id');
      return {
        items: [await ctx.ports.statusPages.updateComponent(page_id, component_id, withStartDate(fields))],
      };
    },
  });

export const updateComponent = changeComponent(
  'update_component',
  'Change a component; only the fields given change (same as patch_component).',
);
export const patchComponent = changeComponent(
  'patch_component',
  'Change some fields of a component; others stay.',
);

export const deleteComponent = defineTool({
  name: 'delete_component',
  toolset: 'status_pages',
  port: 'statusPages',
  resource: 'components',
  output: componentItem,
  annotations: DELETE,
  description: "Delete a component; a group's members leave it.",
  input: z.strictObject({ page_id: pageId, component_id: componentId }),
  async handler(args, ctx) {
    const deleted = await ctx.ports.statusPages.deleteComponent(args.page_id, args.component_id);
    return { items: [deleted], description: `Deleted component ${deleted.id}` };
  },
});

export const statusPageTools = [
  listPages,
  getPageDetails,
  createPage,
  updatePage,
  patchPage,
  deletePage,
  listComponentGroups,
  listComponents,
  getComponentDetails,
  createComponent,
  updateComponent,
  patchComponent,
  deleteComponent,
];
