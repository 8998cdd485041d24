/**
 * Output schemas: the envelope every tool returns, around a per-resource item schema.
 * Items are partial because `include` may select any subset of fields, and answers leave out
 * empty (null, '') fields unless `include` names them. A duration or size says its unit: in the
 * name for Vigil's own fields (`grace_seconds`), in `.describe()` where a seed or upstream API
 * fixed the name (`response_time`, `interval`).
 */
import { z } from 'zod';

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
export {
  componentSchema as componentItem,
  incidentUpdateSchema as incidentUpdateItem,
  statusIncidentSchema as statusIncidentItem,
  statusPageSchema as statusPageItem,
} from '../core/status-pages.js';

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
