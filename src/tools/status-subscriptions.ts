/**
 * The status_pages toolset, part three: a page's subscribers, in the shape of PagerDuty's
 * `/status_pages/{id}/subscriptions` (`channel`, `contact`, `status`), with how many a page has
 * and how many each incident update reached. An operator's subscriber is confirmed at once;
 * people subscribe themselves from the public page (double opt-in).
 */
import { z } from 'zod';
import {
  notifiedCountSchema,
  SUBSCRIBER_CHANNELS,
  SUBSCRIPTION_STATUSES,
  subscriptionCountsSchema,
  subscriptionSchema,
} from '../core/status-subscriptions.js';
import { CREATE, DELETE, defineTool, READ } from './define-tool.js';
import { paging } from './paging.js';
import * as p from './params.js';
import { pageId } from './status-pages.js';

const subscriptionId = p.id('subscription_id');

export const listStatusPageSubscriptions = defineTool({
  name: 'list_status_page_subscriptions',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'subscriptions',
  output: subscriptionSchema,
  annotations: READ,
  description: "A status page's subscribers (email, webhook, chat), oldest first.",
  narrowHint: 'Narrow with `status` or `channel`.',
  input: z.strictObject({
    page_id: pageId,
    status: z.enum(SUBSCRIPTION_STATUSES).optional().describe('pending: not confirmed yet.'),
    channel: z.enum(SUBSCRIBER_CHANNELS).optional().describe('Only this channel.'),
    limit: p.limit.optional(),
    cursor: p.cursor.optional(),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const paged = paging(args, { page_id: args.page_id, status: args.status, channel: args.channel });
    const result = await ctx.ports.statusSubscriptions.list(args.page_id, {
      status: args.status,
      channel: args.channel,
      limit: paged.limit,
      offset: paged.offset,
    });
    return { items: result.items, page: paged.info(result) };
  },
});

export const getStatusPageSubscription = defineTool({
  name: 'get_status_page_subscription',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'subscriptions',
  output: subscriptionSchema,
  annotations: READ,
  description: 'One subscriber of a status page.',
  input: z.strictObject({ page_id: pageId, subscription_id: subscriptionId, include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.statusSubscriptions.get(args.page_id, args.subscription_id)] };
  },
});

export const createStatusPageSubscription = defineTool({
  name: 'create_status_page_subscription',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'subscriptions',
  output: subscriptionSchema,
  annotations: CREATE,
  description:
    'Subscribe an email address or webhook URL to a status page, confirmed at once; a webhook gets its signing_secret (shown once).',
  input: z.strictObject({
    page_id: pageId,
    channel: z
      .enum(SUBSCRIBER_CHANNELS)
      .describe('slack, microsoft_teams and discord take their webhook URL.'),
    contact: z.string().trim().min(1).max(2000).describe('Email address, or webhook URL.'),
    components: p.ids('component_id').max(200).optional().describe('Only these components (default: all).'),
  }),
  async handler(args, ctx) {
    // The port checks the contact for its channel (naming `contact`), before anything is stored.
    const created = await ctx.ports.statusSubscriptions.create(args.page_id, args);
    return { items: [created], keep: created.signing_secret ? ['signing_secret'] : [] };
  },
});

export const deleteStatusPageSubscription = defineTool({
  name: 'delete_status_page_subscription',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'subscriptions',
  output: subscriptionSchema,
  annotations: DELETE,
  description: 'Remove a subscriber from a status page.',
  input: z.strictObject({ page_id: pageId, subscription_id: subscriptionId }),
  async handler(args, ctx) {
    const deleted = await ctx.ports.statusSubscriptions.delete(args.page_id, args.subscription_id);
    return { items: [deleted], description: `Deleted subscription ${deleted.id}` };
  },
});

export const getStatusPageSubscriptionCounts = defineTool({
  name: 'get_status_page_subscription_counts',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'counts',
  output: subscriptionCountsSchema,
  annotations: READ,
  description: 'Subscribers per status page: active (per channel), pending, suspended.',
  input: z.strictObject({
    page_id: pageId.optional().describe('One page (default: every page).'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    return { items: await ctx.ports.statusSubscriptions.counts(args.page_id) };
  },
});

export const getIncidentNotificationCounts = defineTool({
  name: 'get_incident_notification_counts',
  toolset: 'status_pages',
  port: 'statusSubscriptions',
  resource: 'notifications',
  output: notifiedCountSchema,
  annotations: READ,
  description:
    'How many subscribers each update (and maintenance reminder) of a status-page incident was sent to, and delivered.',
  input: z.strictObject({ page_id: pageId, incident_id: p.id('incident_id'), include: p.include.optional() }),
  async handler(args, ctx) {
    return { items: await ctx.ports.statusSubscriptions.notified(args.page_id, args.incident_id) };
  },
});

export const statusSubscriptionTools = [
  listStatusPageSubscriptions,
  getStatusPageSubscription,
  createStatusPageSubscription,
  deleteStatusPageSubscription,
  getStatusPageSubscriptionCounts,
  getIncidentNotificationCounts,
];
