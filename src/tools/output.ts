/**
 * Output schemas: the envelope every tool returns, around a per-resource item schema.
 * Items are partial because `include` may select any subset of fields, and answers leave out
 * empty (null, '') fields unless `include` names them. A duration or size says its unit: in the
 * name for Vigil's own fields (`grace_seconds`), in `.describe()` where a seed or upstream API
 * fixed the name (`response_time`, `interval`).
 */
import { z } from 'zod';
import { ALL_INCIDENT_STATUSES, COMPONENT_STATUSES, PAGE_LANGUAGES } from '../core/status-pages.js';

export {
  checkGroupSchema as checkGroupItem,
  checkJobSchema as checkJobItem,
  checkResultSchema as checkResultItem,
  checkSchema as checkItem,
  checkStatisticsSchema as checkStatisticsItem,
  statusPeriodSchema as statusPeriodItem,
} from '../core/checks.js';
export {
  serviceSchema as serviceItem,
  teamSchema as teamItem,
  userContextSchema as userContextItem,
  userSchema as userItem,
} from '../core/directory.js';
export { escalationPolicySchema as escalationPolicyItem } from '../core/escalation.js';
export {
  heartbeatPingSchema as heartbeatPingItem,
  heartbeatSchema as heartbeatItem,
} from '../core/heartbeats.js';
export {
  incidentItemSchema as incidentItem,
  incidentNoteSchema as noteItem,
  logEntrySchema as logEntryItem,
} from '../core/incidents.js';
export {
  oncallSchema as oncallItem,
  scheduleOverrideSchema as overrideItem,
  scheduleSchema as scheduleItem,
} from '../core/schedules.js';

export function envelopeSchema(resource: string, item: z.ZodObject) {
  return z.object({
    metadata: z.object({ count: z.number().int(), description: z.string() }).loose(),
    next_cursor: z.string().optional(),
    [resource]: z.array(item.partial().loose()),
  });
}

export const fieldsOf = (item: z.ZodObject): readonly string[] => Object.keys(item.shape);

export const alertItem = z.object({
  id: z.string(),
  rule_id: z.string(),
  rule_name: z.string(),
  check_id: z.string().nullable(),
  heartbeat_id: z.string().nullable(),
  status: z.string(),
  is_active: z.boolean(),
  severity: z.string(),
  description: z.string(),
  fired_at: z.string(),
  resolved_at: z.string().nullable(),
  duration: z.number().describe('Seconds firing (until now, or until resolved).'),
  notification_count: z.number(),
  last_notification_at: z.string().nullable(),
  incident_id: z.string().nullable(),
  alert_metadata: z.object({}).loose(),
  /** {dedup_key, events: [{event_action, status, attempts, last_error, delivered_at}]}: kept loose, listings are costly. */
  pagerduty: z.object({}).loose().nullable(),
});

export const alertRuleItem = z.object({
  id: z.string(),
  name: z.string(),
  check_id: z.string().nullable(),
  check_name: z.string().nullable(),
  heartbeat_id: z.string().nullable(),
  condition: z.string(),
  condition_parameters: z.object({}).loose(),
  channel_ids: z.array(z.string()),
  channels: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
  severity: z.string(),
  cooldown_period: z.number().describe('Seconds between firings.'),
  enabled: z.boolean(),
  auto_resolve: z.boolean(),
  service_id: z.string().nullable(),
  routing_key: z.string().nullable(),
  component_id: z.string().nullable(),
  component_status: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const alertChannelItem = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  configuration: z.object({}).loose(),
  enabled: z.boolean(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const alertStatisticsItem = z.object({
  active_alerts: z.number(),
  recent_alerts: z.number(),
  total_rules: z.number(),
  total_channels: z.number(),
  severity_breakdown: z.object({}).loose(),
});

export const secretItem = z.object({
  id: z.string(),
  secret_name: z.string(),
  secret_value: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const checkSecretItem = z.object({
  secret_id: z.string(),
  env_variable: z.string(),
  secret: z.object({ secret_name: z.string() }),
});

const componentStatus = z.enum(COMPONENT_STATUSES);

export const statusPageItem = z.object({
  id: z.string(),
  name: z.string(),
  subdomain: z.string().nullable(),
  domain: z.string().nullable(),
  url: z.string().nullable(),
  language: z.enum(PAGE_LANGUAGES),
  headline: z.string().nullable(),
  page_description: z.string().nullable(),
  time_zone: z.string(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  viewers_must_be_team_members: z.boolean(),
  hidden_from_search: z.boolean(),
  allow_page_subscribers: z.boolean(),
  allow_incident_subscribers: z.boolean(),
  allow_email_subscribers: z.boolean(),
  allow_sms_subscribers: z.boolean(),
  allow_webhook_subscribers: z.boolean(),
  allow_rss_atom_feeds: z.boolean(),
  support_url: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const componentItem = z.object({
  id: z.string(),
  page_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  group: z.boolean(),
  group_id: z.string().nullable(),
  only_show_if_degraded: z.boolean(),
  position: z.number().int(),
  showcase: z.boolean(),
  start_date: z.string().nullable(),
  status: componentStatus,
  own_status: z.string(),
  check_ids: z.array(z.string()),
  automation_delay_seconds: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

const incidentStatus = z.enum(ALL_INCIDENT_STATUSES);

export const incidentUpdateItem = z.object({
  id: z.string(),
  incident_id: z.string(),
  status: incidentStatus,
  body: z.string(),
  components: z.record(z.string(), componentStatus),
  deliver_notifications: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

// Statuses are plain strings here: the input schemas list the vocabularies, once.
export const statusIncidentItem = z.object({
  id: z.string(),
  page_id: z.string(),
  name: z.string(),
  status: z.string(),
  body: z.string().nullable(),
  impact: z.string(),
  deliver_notifications: z.boolean(),
  components: z.record(z.string(), z.string()),
  metadata: z.object({}).loose(),
  scheduled_for: z.string().nullable(),
  scheduled_until: z.string().nullable(),
  scheduled_remind_prior: z.boolean(),
  scheduled_auto_in_progress: z.boolean(),
  scheduled_auto_completed: z.boolean(),
  auto_transition_to_maintenance_state: z.boolean(),
  auto_transition_to_operational_state: z.boolean(),
  auto_transition_deliver_notifications_at_start: z.boolean(),
  auto_transition_deliver_notifications_at_end: z.boolean(),
  reminder_intervals: z.string().nullable().describe('Hours, e.g. "[3, 6, 12]".'),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  monitoring_at: z.string().nullable(),
  /** Newest first; the full shape is get_incident_updates' (kept short here for tools/list). */
  incident_updates: z.array(
    z.object({ id: z.string(), status: z.string(), body: z.string(), created_at: z.string() }).loose(),
  ),
});
