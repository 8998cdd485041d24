/**
 * The types of the fake Pingera API's data (fake-pingera.ts): the seed a test writes (`PingeraSeed`),
 * and the state that requests change, which PingeraAccount (fake-pingera-state.ts) holds. Seed times
 * are ISO strings; state times are epoch milliseconds. Seed entries name each other by id.
 */

type Json = Record<string, unknown>;

export type ComponentStatus =
  | 'operational'
  | 'under_maintenance'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage';
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type CheckType =
  | 'web'
  | 'api'
  | 'ssl'
  | 'tcp'
  | 'synthetic'
  | 'multistep'
  | 'icmp'
  | 'dns'
  | 'portscan';
export type ResultStatus = 'ok' | 'failed' | 'degraded' | 'timeout' | 'pending';
export type AlertStatus = 'firing' | 'resolved' | 'acknowledged' | 'suppressed';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

// ── seed ───────────────────────────────────────────────────────────────────────────────────────

export interface SeedComponent {
  id?: string;
  name: string;
  status?: ComponentStatus;
  description?: string;
  /** A component group (listed by /component-groups; /components shows it with show_groups=true). */
  group?: boolean;
  /** The id of a group on the same page. */
  group_id?: string;
  position?: number;
  showcase?: boolean;
  only_show_if_degraded?: boolean;
  start_date?: string;
  created_at?: string;
  /** Soft-deleted: only listed with show_deleted=true. */
  deleted?: boolean;
}

export interface SeedIncidentUpdate {
  body: string;
  status: IncidentStatus;
  created_at?: string;
}

export interface SeedIncident {
  id?: string;
  name: string;
  /** Defaults to the last update's status, else `investigating`. */
  status?: IncidentStatus;
  impact?: 'minor' | 'major' | 'critical';
  /** Component id → its status during the incident; the components take these statuses. */
  components?: Record<string, ComponentStatus>;
  created_at?: string;
  /** Defaults to the first resolved update's time, or created_at, when the status is `resolved`. */
  resolved_at?: string;
  /** Oldest first; without them, one update with the incident's status and an empty body. */
  updates?: SeedIncidentUpdate[];
  /** Other Incident fields, rendered as given (scheduled_for, scheduled_until, metadata…). */
  extra?: Json;
}

export interface SeedPage {
  id?: string;
  /** Any other writable Page field (subdomain, domain, headline, language, time_zone…) goes here too. */
  name: string;
  created_at?: string;
  components?: SeedComponent[];
  incidents?: SeedIncident[];
  [field: string]: unknown;
}

export interface SeedResult {
  id?: string;
  status: ResultStatus;
  /** Milliseconds. */
  response_time?: number;
  created_at: string;
  error_message?: string;
  /** Default `EU, West`. */
  region?: string;
  result_type?: 'regular' | 'on_demand';
  check_metadata?: Json;
}

export interface SeedCheck {
  id?: string;
  name: string;
  type: CheckType;
  url?: string;
  host?: string;
  port?: number;
  /** Seconds; default 300. */
  interval?: number;
  /** Seconds; default 30. */
  timeout?: number;
  active?: boolean;
  position?: number;
  group_id?: string;
  parameters?: Json;
  created_at?: string;
  secrets?: { secret_id: string; env_variable: string }[];
  /** In any order; the newest regular one sets the check's status and last_checked_at. */
  results?: SeedResult[];
}

export interface SeedCheckGroup {
  id?: string;
  name: string;
  description?: string;
  color?: string;
  position?: number;
  active?: boolean;
  created_at?: string;
}

export interface SeedPing {
  received_at: string;
  ping_data?: Json;
  source_ip?: string;
  user_agent?: string;
}

export interface SeedHeartbeat {
  id?: string;
  name: string;
  period_seconds: number;
  /** Default 3600. */
  grace_seconds?: number;
  active?: boolean;
  created_at?: string;
  pings?: SeedPing[];
}

export interface SeedSecret {
  id?: string;
  secret_name: string;
  secret_value: string;
  created_at?: string;
}

export interface SeedAlertChannel {
  id?: string;
  name: string;
  type: 'email' | 'webhook' | 'statuspage' | 'telegram';
  configuration?: Json;
  enabled?: boolean;
  created_at?: string;
}

export interface SeedAlertRule {
  id?: string;
  name: string;
  check_id: string;
  condition:
    | 'check_failed'
    | 'check_timeout'
    | 'check_degraded'
    | 'consecutive_failures'
    | 'uptime_below_threshold';
  channel_ids: string[];
  condition_parameters?: Json;
  severity?: Severity;
  cooldown_period?: number;
  enabled?: boolean;
  auto_resolve?: boolean;
  created_at?: string;
}

export interface SeedAlert {
  id?: string;
  check_id: string;
  rule_id?: string;
  /** Default `firing`. */
  status?: AlertStatus;
  severity?: Severity;
  description?: string;
  fired_at: string;
  resolved_at?: string;
  acknowledged_at?: string;
  notification_count?: number;
  alert_metadata?: Json;
}

/** One organisation's data. Every list is optional; cross-references use the ids given here. */
export interface PingeraSeed {
  organization_id?: string;
  /** The user the credential belongs to (created_by of secrets, acknowledged_by_id of alerts). */
  user_id?: string;
  pages?: SeedPage[];
  check_groups?: SeedCheckGroup[];
  checks?: SeedCheck[];
  heartbeats?: SeedHeartbeat[];
  secrets?: SeedSecret[];
  alert_channels?: SeedAlertChannel[];
  alert_rules?: SeedAlertRule[];
  alerts?: SeedAlert[];
}

// ── state ──────────────────────────────────────────────────────────────────────────────────────

export interface PageState {
  id: string;
  /** The writable Page fields as last sent (name, subdomain, domain, css_*, time_zone…). */
  fields: Json;
  createdAt: number;
  updatedAt: number;
}

export interface ComponentState {
  id: string;
  pageId: string;
  name: string;
  description: string | null;
  group: boolean;
  groupId: string | null;
  position: number;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  startDate: number | null;
  status: ComponentStatus;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface IncidentUpdateState {
  id: string;
  incidentId: string;
  status: IncidentStatus;
  body: string;
  components: Record<string, string>;
  deliverNotifications: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface IncidentState {
  id: string;
  pageId: string;
  name: string;
  status: IncidentStatus;
  impact: string | null;
  deliverNotifications: boolean;
  components: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  monitoringAt: number | null;
  /** Oldest first. */
  updates: IncidentUpdateState[];
  extra: Json;
}

export interface CheckState {
  id: string;
  name: string;
  type: CheckType;
  url: string | null;
  host: string | null;
  port: number | null;
  interval: number;
  timeout: number;
  active: boolean;
  position: number;
  groupId: string | null;
  parameters: Json;
  createdAt: number;
  updatedAt: number;
  secrets: { secret_id: string; env_variable: string }[];
}

export interface ResultState {
  id: string;
  /** Null for a custom on-demand check's result. */
  checkId: string | null;
  checkName: string;
  checkType: CheckType;
  status: ResultStatus;
  responseTime: number | null;
  errorMessage: string | null;
  region: string;
  resultType: 'regular' | 'on_demand';
  metadata: Json;
  createdAt: number;
}

export interface CheckGroupState {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  position: number;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface JobState {
  id: string;
  checkId: string | null;
  jobType: 'existing_check' | 'custom_check';
  parameters: Json;
  createdAt: number;
  /** GETs of the job so far. */
  polls: number;
  /** Decided when the job is queued (JobSettings.fail). */
  failure: string | undefined;
  startedAt: number | null;
  completedAt: number | null;
  result: ResultState | null;
}

export interface HeartbeatState {
  id: string;
  name: string;
  periodSeconds: number;
  graceSeconds: number;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface PingState {
  id: string;
  checkId: string;
  receivedAt: number;
  sourceIp: string | null;
  userAgent: string | null;
  pingData: Json | null;
}

export interface SecretState {
  id: string;
  name: string;
  value: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
}

export interface ChannelState {
  id: string;
  name: string;
  type: string;
  configuration: Json;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

export interface RuleState {
  id: string;
  name: string;
  checkId: string;
  condition: string;
  conditionParameters: Json;
  channelIds: string[];
  severity: Severity;
  cooldownPeriod: number;
  enabled: boolean;
  autoResolve: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AlertState {
  id: string;
  ruleId: string | null;
  checkId: string;
  status: AlertStatus;
  severity: Severity;
  description: string;
  firedAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedById: string | null;
  notificationCount: number;
  metadata: Json;
}
