/**
 * Alerting: rules that watch a check or a heartbeat and, when their condition holds, fire an
 * alert — notifying channels and either opening an incident on the rule's service or sending an
 * Events API v2 event to its PagerDuty routing key (deduplicated per rule and source, resolved
 * with the alert when `auto_resolve`). Field names follow Pingera's AlertRule, AlertChannel and
 * Alert. Channels, rules, alerts and statistics are each defined once, as a zod schema: their
 * types derive from it, narrowing what answers list as plain strings, and the tools' output
 * schemas are these.
 */
import { z } from 'zod';
import type { CHANNEL_TYPES } from './channels.js';
import type { Page } from './directory.js';
import type { Severity as EventSeverity } from './events-v2.js';
import type { ComponentStatus } from './status-pages.js';

export const ALERT_CONDITIONS = [
  'check_failed',
  'check_timeout',
  'check_degraded',
  'consecutive_failures',
  'uptime_below_threshold',
  'certificate_expiring',
  'heartbeat_late',
  'heartbeat_down',
] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How a rule's severity reads in an Events API v2 payload. */
export const EVENT_SEVERITY: Record<Severity, EventSeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** A PagerDuty Events API v2 integration key, as PagerDuty accepts one: 32 letters and digits. */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;
export const ROUTING_KEY_RULE = 'must be a 32-character PagerDuty integration key (letters and digits)';

/** A routing key as reads show it: a credential of sorts, so only its last 4 characters. */
export function maskRoutingKey(key: string): string {
  return `${'*'.repeat(key.length - 4)}${key.slice(-4)}`;
}

/** The kinds an alert channel may be (see channels.ts). */
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const alertChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  /** webhook/slack `{url}`; email `{to: [addresses]}`. A webhook's signing secret shows on create only. */
  configuration: z.object({}).loose(),
  enabled: z.boolean(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** Narrowed: the type is one of CHANNEL_TYPES. */
export type AlertChannel = Omit<z.infer<typeof alertChannelSchema>, 'type'> & { type: ChannelType };

export interface AlertChannelInput {
  name: string;
  type: ChannelType;
  configuration: Record<string, unknown>;
  enabled?: boolean | undefined;
}

export const alertRuleSchema = z.object({
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
  /** Vigil: open an incident on this service when the alert fires. */
  service_id: z.string().nullable(),
  /** Vigil: send Events API v2 events to this PagerDuty integration key instead (masked). */
  routing_key: z.string().nullable(),
  /** Vigil: set this status-page component to `component_status` while the alert fires. */
  component_id: z.string().nullable(),
  component_status: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** Narrowed: the condition, severity and component status to their vocabularies. */
export type AlertRule = Omit<
  z.infer<typeof alertRuleSchema>,
  'condition' | 'severity' | 'component_status'
> & {
  condition: AlertCondition;
  severity: Severity;
  component_status: ComponentStatus | null;
};

export interface AlertRuleInput {
  name: string;
  check_id?: string | null | undefined;
  heartbeat_id?: string | null | undefined;
  condition: AlertCondition;
  condition_parameters?: Record<string, unknown> | undefined;
  channel_ids?: string[] | undefined;
  severity?: Severity | undefined;
  cooldown_period?: number | undefined;
  enabled?: boolean | undefined;
  auto_resolve?: boolean | undefined;
  service_id?: string | null | undefined;
  routing_key?: string | null | undefined;
  component_id?: string | null | undefined;
  component_status?: ComponentStatus | null | undefined;
}

export const alertSchema = z.object({
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
  /** The Events API v2 events sent to PagerDuty for this alert; null for rules without a routing key. Kept loose: listings are costly. */
  pagerduty: z.object({}).loose().nullable(),
});
/** Narrowed: the status and severity to their vocabularies, and the PagerDuty events named. */
export type Alert = Omit<z.infer<typeof alertSchema>, 'status' | 'severity' | 'pagerduty'> & {
  status: 'firing' | 'acknowledged' | 'resolved';
  severity: Severity;
  pagerduty: { dedup_key: string; events: PagerDutyEventDelivery[] } | null;
};

export interface PagerDutyEventDelivery {
  event_action: 'trigger' | 'resolve';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

export const alertStatisticsSchema = z.object({
  active_alerts: z.number(),
  recent_alerts: z.number(),
  total_rules: z.number(),
  total_channels: z.number(),
  severity_breakdown: z.object({}).loose(),
});
/** Narrowed: alerts counted by each of SEVERITIES. */
export type AlertStatistics = Omit<z.infer<typeof alertStatisticsSchema>, 'severity_breakdown'> & {
  severity_breakdown: Record<Severity, number>;
};

export interface AlertsPort {
  listAlerts(f: {
    status?: Alert['status'] | undefined;
    limit: number;
    offset: number;
  }): Promise<Page<Alert>>;
  getAlert(id: string): Promise<Alert | undefined>;
  statistics(): Promise<AlertStatistics>;
  listRules(limit: number, offset: number): Promise<Page<AlertRule>>;
  getRule(id: string): Promise<AlertRule | undefined>;
  createRule(input: AlertRuleInput): Promise<AlertRule>;
  updateRule(id: string, patch: Partial<AlertRuleInput>): Promise<AlertRule>;
  deleteRule(id: string): Promise<void>;
  listChannels(limit: number, offset: number): Promise<Page<AlertChannel>>;
  createChannel(input: AlertChannelInput): Promise<AlertChannel>;
  updateChannel(id: string, patch: Partial<AlertChannelInput>): Promise<AlertChannel>;
  deleteChannel(id: string): Promise<void>;
}

/** Which conditions watch which source. */
export const HEARTBEAT_CONDITIONS: readonly AlertCondition[] = ['heartbeat_late', 'heartbeat_down'];
