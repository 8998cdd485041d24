/**
 * Alerting: rules that watch a check or a heartbeat and, when their condition holds, fire an
 * alert — notifying channels and either opening an incident on the rule's service or sending an
 * Events API v2 event to its PagerDuty routing key (deduplicated per rule and source, resolved
 * with the alert when `auto_resolve`). Field names follow Pingera's AlertRule, AlertChannel and
 * Alert.
 */
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

export interface AlertChannel {
  id: string;
  name: string;
  type: ChannelType;
  /** webhook/slack `{url}`; email `{to: [addresses]}`. A webhook's signing secret shows on create only. */
  configuration: Record<string, unknown>;
  enabled: boolean;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AlertChannelInput {
  name: string;
  type: ChannelType;
  configuration: Record<string, unknown>;
  enabled?: boolean | undefined;
}

export interface AlertRule {
  id: string;
  name: string;
  check_id: string | null;
  check_name: string | null;
  heartbeat_id: string | null;
  condition: AlertCondition;
  condition_parameters: Record<string, unknown>;
  channel_ids: string[];
  channels: { id: string; name: string; type: string }[];
  severity: Severity;
  cooldown_period: number;
  enabled: boolean;
  auto_resolve: boolean;
  /** Vigil: open an incident on this service when the alert fires. */
  service_id: string | null;
  /** Vigil: send Events API v2 events to this PagerDuty integration key instead (masked). */
  routing_key: string | null;
  /** Vigil: set this status-page component to `component_status` while the alert fires. */
  component_id: string | null;
  component_status: ComponentStatus | null;
  created_at: string;
  updated_at: string;
}

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

export interface Alert {
  id: string;
  rule_id: string;
  rule_name: string;
  check_id: string | null;
  heartbeat_id: string | null;
  status: 'firing' | 'acknowledged' | 'resolved';
  is_active: boolean;
  severity: Severity;
  description: string;
  fired_at: string;
  resolved_at: string | null;
  duration: number;
  notification_count: number;
  last_notification_at: string | null;
  incident_id: string | null;
  alert_metadata: Record<string, unknown>;
  /** The Events API v2 events sent to PagerDuty for this alert; null for rules without a routing key. */
  pagerduty: {
    dedup_key: string;
    events: PagerDutyEventDelivery[];
  } | null;
}

export interface PagerDutyEventDelivery {
  event_action: 'trigger' | 'resolve';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

export interface AlertStatistics {
  active_alerts: number;
  recent_alerts: number;
  total_rules: number;
  total_channels: number;
  severity_breakdown: Record<Severity, number>;
}

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
