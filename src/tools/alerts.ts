/**
 * The alerts toolset, with the Pingera seed's names: alerts and their statistics, rules
 * (`create_alert`/`update_alert`/`delete_alert` write alert rules, as Pingera's API does; their
 * fields in `alert_data` or flat) and channels.
 */
import { z } from 'zod';
import { ALERT_CONDITIONS, ROUTING_KEY_PATTERN, ROUTING_KEY_RULE, SEVERITIES } from '../core/alerts.js';
import { CHANNEL_TYPES, describeKinds } from '../core/channels.js';
import { NotFoundError } from '../core/errors.js';
import { CREATE, DELETE, defineTool, READ, UPDATE } from './define-tool.js';
import { alertChannelItem, alertItem, alertRuleItem, alertStatisticsItem } from './output.js';
import { page, pageSize, paging } from './paging.js';
import * as p from './params.js';

const paged = {
  page: page.optional(),
  page_size: pageSize.optional(),
  limit: p.limit.optional(),
  cursor: p.cursor.optional(),
  include: p.include.optional(),
};

const rule = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('Rule name.'),
  check_id: p.id('check_id').nullable().describe('The check it watches.'),
  heartbeat_id: p.id('heartbeat_id').nullable().describe('The heartbeat it watches.'),
  condition: z.enum(ALERT_CONDITIONS).describe('When it fires.'),
  condition_parameters: z
    .strictObject({
      count: z
        .number()
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe('consecutive_failures: how many (default 3).'),
      threshold: z
        .number()
        .min(0)
        .max(100)
        .optional()
        .describe('uptime_below_threshold: percent (default 99).'),
      window_minutes: z
        .number()
        .int()
        .min(1)
        .max(43_200)
        .optional()
        .describe('uptime_below_threshold: window (default 60).'),
      days: z
        .number()
        .int()
        .min(1)
        .max(365)
        .optional()
        .describe('certificate_expiring: days left (default 14).'),
    })
    .describe('Condition settings.'),
  channel_ids: z.array(p.id('channel_id')).max(20).describe('Channels to notify.'),
  severity: z.enum(SEVERITIES).describe('Default high.'),
  cooldown_period: z
    .number()
    .int()
    .min(0)
    .max(604_800)
    .describe('Min seconds between firings (default 300).'),
  enabled: z.boolean().describe('false stops it firing.'),
  auto_resolve: z.boolean().describe('Resolve on recovery (default true).'),
  service_id: p.id('service_id').nullable().describe('Open an incident on this service.'),
  routing_key: z
    .string()
    .regex(ROUTING_KEY_PATTERN, ROUTING_KEY_RULE)
    .nullable()
    .describe('PagerDuty Events v2 routing key; not with service_id. Masked in reads.'),
  component_id: p.id('component_id').nullable().describe('Status-page component to set while firing.'),
  component_status: z
    .enum(['degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'])
    .describe('Default major_outage.'),
};

/** An alert rule's fields, flat or in `alert_data` (the seed's form). */
const ruleFields = {
  name: rule.name,
  check_id: rule.check_id.optional(),
  heartbeat_id: rule.heartbeat_id.optional(),
  condition: rule.condition,
  condition_parameters: rule.condition_parameters.optional(),
  channel_ids: rule.channel_ids.optional(),
  severity: rule.severity.optional(),
  cooldown_period: rule.cooldown_period.optional(),
  enabled: rule.enabled.optional(),
  auto_resolve: rule.auto_resolve.optional(),
  service_id: rule.service_id.optional(),
  routing_key: rule.routing_key.optional(),
  component_id: rule.component_id.optional(),
  component_status: rule.component_status.optional(),
};
const createRule = p.wrappedFields('alert_data', ruleFields, {});
const updateRule = p.wrappedFields(
  'alert_data',
  { ...ruleFields, name: rule.name.optional(), condition: rule.condition.optional() },
  { alert_id: p.id('alert_id').describe('The alert rule ID.') },
);

export const listAlerts = defineTool({
  name: 'list_alerts',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'alerts',
  output: alertItem,
  annotations: READ,
  description: 'Alerts fired by alert rules, newest first: firing, acknowledged or resolved.',
  narrowHint: 'Narrow with `status`.',
  input: z.strictObject({
    status: z.enum(['firing', 'acknowledged', 'resolved']).optional().describe('Only alerts in this state.'),
    ...paged,
  }),
  async handler(args, ctx) {
    const pages = paging(args, { status: args.status });
    const result = await ctx.ports.alerts.listAlerts({
      status: args.status,
      limit: pages.limit,
      offset: pages.offset,
    });
    return { items: result.items, page: pages.info(result) };
  },
});

export const getAlertDetails = defineTool({
  name: 'get_alert_details',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'alerts',
  output: alertItem,
  annotations: READ,
  description: 'One alert: what fired it, when, how long it lasted, its notifications and incident.',
  input: z.strictObject({
    alert_id: p.id('alert_id').describe('The alert ID.'),
    include: p.include.optional(),
  }),
  async handler(args, ctx) {
    const alert = await ctx.ports.alerts.getAlert(args.alert_id);
    if (!alert) throw new NotFoundError('alert', args.alert_id, 'alert_id');
    return { items: [alert] };
  },
});

export const getAlertStatistics = defineTool({
  name: 'get_alert_statistics',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'statistics',
  output: alertStatisticsItem,
  annotations: READ,
  description:
    'Active alerts, alerts in the last 30 days by severity, and how many rules and channels are enabled.',
  input: z.strictObject({ include: p.include.optional() }),
  async handler(_args, ctx) {
    return { items: [await ctx.ports.alerts.statistics()] };
  },
});

export const listAlertRules = defineTool({
  name: 'list_alert_rules',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'rules',
  output: alertRuleItem,
  annotations: READ,
  description: 'Alert rules: what each watches, its condition, channels, severity and service.',
  input: z.strictObject(paged),
  async handler(args, ctx) {
    const pages = paging(args, {});
    const result = await ctx.ports.alerts.listRules(pages.limit, pages.offset);
    return { items: result.items, page: pages.info(result) };
  },
});

export const listAlertChannels = defineTool({
  name: 'list_alert_channels',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'channels',
  output: alertChannelItem,
  annotations: READ,
  description: 'Alert channels (webhooks, chat, push, email, SMS, voice) and when each was last used.',
  input: z.strictObject(paged),
  async handler(args, ctx) {
    const pages = paging(args, {});
    const result = await ctx.ports.alerts.listChannels(pages.limit, pages.offset);
    return { items: result.items, page: pages.info(result) };
  },
});

export const createAlert = defineTool({
  name: 'create_alert',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'rules',
  output: alertRuleItem,
  annotations: CREATE,
  description:
    'Create an alert rule on a check or heartbeat: when its condition holds it notifies channels and opens an incident (service_id, or PagerDuty by routing_key).',
  input: createRule.input,
  handler: (args, ctx) =>
    createRule.run(args, async (input) => ({ items: [await ctx.ports.alerts.createRule(input)] })),
});

export const updateAlert = defineTool({
  name: 'update_alert',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'rules',
  output: alertRuleItem,
  annotations: UPDATE,
  description: 'Change an alert rule (alert_id is the rule ID); channel_ids replaces the list.',
  input: updateRule.input,
  handler: ({ alert_id, ...rest }, ctx) =>
    updateRule.run(
      rest,
      async (patch) => ({ items: [await ctx.ports.alerts.updateRule(alert_id, patch)] }),
      'alert_id',
    ),
});

export const deleteAlert = defineTool({
  name: 'delete_alert',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'rules',
  output: alertRuleItem,
  annotations: DELETE,
  description: 'Delete an alert rule (alert_id is the rule ID) and its alerts. Returns the deleted rule.',
  input: z.strictObject({ alert_id: p.id('alert_id').describe('The alert rule ID.') }),
  async handler(args, ctx) {
    const found = await ctx.ports.alerts.getRule(args.alert_id);
    await ctx.ports.alerts.deleteRule(args.alert_id);
    return { items: found ? [found] : [], description: `Deleted alert rule ${args.alert_id}` };
  },
});

const channel = {
  name: z.string().trim().min(1, 'name cannot be empty').max(100).describe('Channel name.'),
  type: z.enum(CHANNEL_TYPES).describe(describeKinds(CHANNEL_TYPES)),
  configuration: z
    .strictObject({
      url: z.string().max(2048).optional().describe('URL kinds: where to send.'),
      to: z
        .array(z.string().max(254))
        .max(20)
        .optional()
        .describe('Other kinds: recipients (addresses, numbers, keys, room or chat ids).'),
      token: z.string().min(1).max(500).optional().describe('ntfy, gotify: access token.'),
    })
    .describe('Per type.'),
  enabled: z.boolean().describe('false mutes it.'),
};

export const createAlertChannel = defineTool({
  name: 'create_alert_channel',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'channels',
  output: alertChannelItem,
  annotations: CREATE,
  description:
    "Create an alert channel. A webhook channel's answer carries its signing_secret, shown only this once.",
  input: z.strictObject({
    name: channel.name,
    type: channel.type,
    configuration: channel.configuration,
    enabled: channel.enabled.optional(),
  }),
  async handler(args, ctx) {
    return { items: [await ctx.ports.alerts.createChannel(args)] };
  },
});

export const updateAlertChannel = defineTool({
  name: 'update_alert_channel',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'channels',
  output: alertChannelItem,
  annotations: UPDATE,
  description: 'Change an alert channel: name, type, configuration or enabled.',
  input: z.strictObject({
    channel_id: p.id('channel_id').describe('The alert channel ID.'),
    name: channel.name.optional(),
    type: channel.type.optional(),
    configuration: channel.configuration.optional(),
    enabled: channel.enabled.optional(),
  }),
  async handler({ channel_id, ...patch }, ctx) {
    p.requireChange(patch, 'channel_id');
    return { items: [await ctx.ports.alerts.updateChannel(channel_id, patch)] };
  },
});

export const deleteAlertChannel = defineTool({
  name: 'delete_alert_channel',
  toolset: 'alerts',
  port: 'alerts',
  resource: 'channels',
  output: alertChannelItem,
  annotations: DELETE,
  description: 'Delete an alert channel; rules stop notifying it.',
  input: z.strictObject({ channel_id: p.id('channel_id').describe('The alert channel ID.') }),
  async handler(args, ctx) {
    await ctx.ports.alerts.deleteChannel(args.channel_id);
    return { items: [], description: `Deleted alert channel ${args.channel_id}` };
  },
});

export const alertTools = [
  listAlerts,
  getAlertDetails,
  getAlertStatistics,
  listAlertRules,
  listAlertChannels,
  createAlert,
  updateAlert,
  deleteAlert,
  createAlertChannel,
  updateAlertChannel,
  deleteAlertChannel,
];
