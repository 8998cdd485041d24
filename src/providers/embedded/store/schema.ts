/**
 * Table types of the embedded store, for Kysely. Timestamps are ISO 8601 UTC text (they sort
 * as text on both databases); the lease uses integer milliseconds. Columns holding a vocabulary
 * are typed with core's union, so rows read back need no casts (the database does not check them).
 */
import type { Alert, AlertCondition, ChannelType, Severity } from '../../../core/alerts.js';
import type { AuditEntry } from '../../../core/audit.js';
import type { ChannelKindName } from '../../../core/channels.js';
import type { CheckType } from '../../../core/check-kinds/index.js';
import type { CheckJob, CheckResult, CheckStatus, ResultStatus } from '../../../core/checks.js';
import type { ServiceStatus, ServiceUrgency, UserRole } from '../../../core/directory.js';
import type { TargetType } from '../../../core/escalation.js';
import type { HeartbeatStatus, PingKind } from '../../../core/heartbeats.js';
import type { Actor, IncidentAlertStatus, IncidentStatus, Urgency } from '../../../core/incidents.js';
import type { HandoffEdge, HandoffType } from '../../../core/notification-rules.js';
import type { Mode } from '../../../core/principal.js';
import type {
  ComponentStatus,
  IncidentImpact,
  PageLanguage,
  IncidentStatus as StatusIncidentStatus,
} from '../../../core/status-pages.js';
import type { SubscriberChannel, SubscriberEvent, Subscription } from '../../../core/status-subscriptions.js';
import type { RollupPeriod } from './check-rollups.js';
import type { EngineEvent } from './engine-events.js';
import type { LogType } from './incident-log.js';

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  email_lower: string;
  time_zone: string;
  description: string | null;
  role: UserRole;
  created_at: string;
  updated_at: string;
}

export interface ContactMethodsTable {
  id: string;
  user_id: string;
  position: number;
  kind: ChannelKindName;
  address: string;
  label: string | null;
  /** Signing secret of a webhook method (HMAC-SHA256 of each delivery). */
  secret: string | null;
}

export interface TeamsTable {
  id: string;
  name: string;
  name_lower: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

export interface ServicesTable {
  id: string;
  name: string;
  name_lower: string;
  description: string | null;
  status: ServiceStatus;
  escalation_policy_id: string | null;
  integration_key: string;
  /** The urgency of the incidents it opens (`high`, `low`, `severity_based`); null: as each trigger says. */
  incident_urgency: ServiceUrgency | null;
  created_at: string;
  updated_at: string;
}

export interface ServiceTeamsTable {
  service_id: string;
  team_id: string;
}

export interface EscalationPoliciesTable {
  id: string;
  name: string;
  description: string | null;
  num_loops: number;
  created_at: string;
  updated_at: string;
}

export interface EscalationRulesTable {
  id: string;
  policy_id: string;
  position: number;
  delay_minutes: number;
}

export interface EscalationTargetsTable {
  rule_id: string;
  position: number;
  target_type: TargetType;
  target_id: string;
}

export interface SchedulesTable {
  id: string;
  name: string;
  name_lower: string;
  description: string | null;
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface ScheduleLayersTable {
  id: string;
  schedule_id: string;
  position: number;
  name: string;
  start_at: number;
  end_at: number | null;
  virtual_start_at: number;
  turn_seconds: number;
  /** JSON: the layer's restrictions as given. */
  restrictions: string;
}

export interface ScheduleLayerUsersTable {
  layer_id: string;
  position: number;
  user_id: string;
}

export interface ScheduleOverridesTable {
  id: string;
  schedule_id: string;
  user_id: string;
  start_at: number;
  end_at: number;
  /** Order of creation: the newer override wins where two overlap. */
  seq: number;
  created_at: string;
}

export interface ScheduleTeamsTable {
  schedule_id: string;
  team_id: string;
}

export interface HeartbeatsTable {
  id: string;
  name: string;
  token: string;
  active: number;
  status: HeartbeatStatus;
  period_seconds: number | null;
  cron: string | null;
  time_zone: string;
  grace_seconds: number;
  last_ping_at: number | null;
  last_start_at: number | null;
  next_expected_at: number | null;
  /** When the engine must look again (late, then down); null when nothing can change by time. */
  check_at: number | null;
  created_at: string;
  updated_at: string;
}

export interface HeartbeatPingsTable {
  id: string;
  heartbeat_id: string;
  received_at: number;
  kind: PingKind;
  exit_code: number | null;
  source_ip: string | null;
  user_agent: string | null;
  body: string | null;
  truncated: number;
}

export interface HeartbeatFlipsTable {
  id: string;
  heartbeat_id: string;
  at: number;
  from_status: HeartbeatStatus;
  to_status: HeartbeatStatus;
  reason: string;
}

export interface CheckGroupsTable {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  position: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface ChecksTable {
  id: string;
  name: string;
  type: CheckType;
  url: string | null;
  host: string | null;
  port: number | null;
  interval: number;
  timeout: number;
  active: number;
  position: number;
  group_id: string | null;
  /** JSON: the type's parameters as given. */
  parameters: string;
  failure_threshold: number;
  recovery_threshold: number;
  /** pending, ok, failed, degraded, timeout or paused: the state after thresholds. */
  status: CheckStatus;
  /** Results in a row that disagree with `status` (failures while ok, successes while down). */
  consecutive: number;
  last_result: string | null;
  last_checked_at: number | null;
  next_run_at: number | null;
  created_at: string;
  updated_at: string;
  /** The claim a process holds while it runs the check (see engine-claims.ts). */
  claim_token: string | null;
  claimed_until: number;
}

export interface CheckResultsTable {
  id: string;
  check_id: string;
  created_at: number;
  status: ResultStatus;
  response_time: number;
  error_message: string | null;
  metadata: string;
  result_type: CheckResult['result_type'];
}

export interface CheckStatusHistoryTable {
  id: string;
  check_id: string;
  status: CheckStatus;
  reason: string;
  started_at: number;
  ended_at: number | null;
}

export interface CheckJobsTable {
  id: string;
  check_id: string | null;
  job_type: CheckJob['job_type'];
  status: CheckJob['status'];
  check_parameters: string;
  result: string | null;
  error_message: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface AlertChannelsTable {
  id: string;
  name: string;
  type: ChannelType;
  configuration: string;
  /** Webhook channels: the key of their HMAC signature. */
  secret: string | null;
  enabled: number;
  last_used_at: number | null;
  created_at: string;
  updated_at: string;
}

export interface AlertRulesTable {
  id: string;
  name: string;
  check_id: string | null;
  heartbeat_id: string | null;
  condition: AlertCondition;
  condition_parameters: string;
  severity: Severity;
  cooldown_period: number;
  enabled: number;
  auto_resolve: number;
  service_id: string | null;
  /** A PagerDuty Events API v2 integration key: events go there instead of a local incident. */
  routing_key: string | null;
  component_id: string | null;
  component_status: ComponentStatus | null;
  created_at: string;
  updated_at: string;
}

export interface AlertsTable {
  id: string;
  rule_id: string;
  status: Alert['status'];
  severity: Severity;
  description: string;
  fired_at: number;
  resolved_at: number | null;
  incident_id: string | null;
  metadata: string;
  /** JSON reference to the maintenance that silenced it while it fired; null once it is heard. */
  suppressed_by: string | null;
}

/** The `kind` (and `channel_id`) of an alert delivery that is an Events API v2 event to PagerDuty. */
export const EVENTS_API_KIND = 'pagerduty';

export interface SecretsTable {
  id: string;
  name: string;
  /** AES-256-GCM: base64url of iv (12 bytes), tag (16 bytes) and the encrypted value. */
  ciphertext: string;
  created_at: string;
  updated_at: string;
}

export type Buckets = {
  [K in `b${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15}`]: number;
};

export type CheckRollupsTable = {
  check_id: string;
  period: RollupPeriod;
  start_at: number;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  timeout: number;
  sum_ms: number;
  min_ms: number;
  max_ms: number;
} & Buckets;

export interface ApiKeysTable {
  id: string;
  name: string;
  hash: string;
  mode: Mode;
  toolsets: string | null;
  user_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface EngineLeaseTable {
  name: string;
  holder: string;
  acquired_at: number;
  expires_at: number;
}

export interface SequencesTable {
  name: string;
  value: number;
}

export interface IncidentsTable {
  id: string;
  number: number;
  title: string;
  description: string | null;
  status: IncidentStatus;
  urgency: Urgency;
  service_id: string;
  escalation_policy_id: string | null;
  incident_key: string | null;
  /** JSON object: the first alert's custom details. */
  details: string | null;
  client_url: string | null;
  created_at: string;
  updated_at: string;
  last_status_change_at: string;
  last_status_change_by_type: Actor['type'] | null;
  last_status_change_by_id: string | null;
  resolved_at: string | null;
  /** An acknowledged incident snoozed until then (ms) is triggered again. */
  snoozed_until: number | null;
}

export interface IncidentUsersTable {
  incident_id: string;
  user_id: string;
  at: string;
}

export interface IncidentNotesTable {
  id: string;
  incident_id: string;
  user_id: string | null;
  channel: string;
  content: string;
  created_at: string;
}

export interface IncidentAlertsTable {
  id: string;
  incident_id: string;
  status: IncidentAlertStatus;
  /** JSON object: the alert as it came (summary, source, severity, custom_details, links, …). */
  payload: string;
  created_at: string;
  resolved_at: string | null;
}

export interface EscalationPolicyTeamsTable {
  policy_id: string;
  team_id: string;
}

export interface IncidentEscalationsTable {
  incident_id: string;
  policy_id: string;
  /** Index of the escalation rule now paged. */
  level: number;
  /** Completed passes through all rules. */
  loop: number;
  /** When the current level's time runs out (ms). */
  next_at: number;
  state: 'active' | 'stopped' | 'exhausted';
}

/**
 * The delivery outbox: one row per message to send. A page to a person names the incident, the
 * user and the escalation level; an alert notification names the alert and its channel; an Events
 * API event names the alert and carries its dedup key, its order among that key's events and its
 * body as built when it was queued.
 */
export interface DeliveriesTable {
  id: string;
  /** The channel kind that sends it (webhook, slack, email, pagerduty, …). */
  kind: DeliveryKind;
  address: string;
  secret: string | null;
  event: DeliveryEvent;
  incident_id: string | null;
  user_id: string | null;
  level: number | null;
  alert_id: string | null;
  channel_id: string | null;
  dedup_key: string | null;
  seq: number | null;
  body: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  claim_token: string | null;
  claimed_until: number;
  /** A status-page subscriber's delivery: the subscriber, and the incident and update it tells of. */
  subscriber_id: string | null;
  status_incident_id: string | null;
  status_update_id: string | null;
}

/**
 * What a delivery tells of (its webhook payload's `event`): a page of an incident, an alert fired
 * or resolved, an on-call handoff, a status-page subscriber's news or their subscription itself.
 */
export type DeliveryEvent =
  | 'incident.triggered'
  | 'incident.escalated'
  | 'incident.reassigned'
  | 'alert_fired'
  | 'alert_resolved'
  | 'oncall.handoff'
  | SubscriberEvent
  | 'subscription_confirmation'
  | 'subscription_exists';

/** A channel kind, or the Events API (an alert's event to PagerDuty, see EVENTS_API_KIND). */
export type DeliveryKind = ChannelKindName | typeof EVENTS_API_KIND;

/** `cancelled`: a page not yet sent when its incident was acknowledged, resolved or reassigned. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'unsupported' | 'cancelled';

/** A user's assignment notification rule (notification-rules-repo.ts); times in ms. */
export interface NotificationRulesTable {
  id: string;
  user_id: string;
  contact_method_id: string;
  start_delay_minutes: number;
  urgency: Urgency;
  created_at: number;
}

/** A user's on-call handoff notification rule. */
export interface HandoffRulesTable {
  id: string;
  user_id: string;
  contact_method_id: string;
  notify_advance_minutes: number;
  handoff_type: HandoffType;
  created_at: number;
}

/** A handoff notice queued: one per rule, schedule, edge (`oncall`/`offcall`) and shift edge time. */
export interface HandoffNoticesTable {
  rule_id: string;
  schedule_id: string;
  edge: HandoffEdge;
  at: number;
  queued_at: number;
}

export interface IncidentLogTable {
  id: string;
  incident_id: string;
  /** Order among entries with the same time. */
  seq: number;
  type: LogType;
  at: string;
  actor_type: Actor['type'] | null;
  actor_id: string | null;
  summary: string;
  details: string | null;
}

export interface StatusPagesTable {
  id: string;
  name: string;
  subdomain: string | null;
  domain: string | null;
  language: PageLanguage;
  time_zone: string;
  url: string | null;
  headline: string | null;
  page_description: string | null;
  country: string | null;
  city: string | null;
  state: string | null;
  support_url: string | null;
  viewers_must_be_team_members: number;
  hidden_from_search: number;
  allow_page_subscribers: number;
  allow_incident_subscribers: number;
  allow_email_subscribers: number;
  allow_sms_subscribers: number;
  allow_webhook_subscribers: number;
  allow_rss_atom_feeds: number;
  created_at: string;
  updated_at: string;
}

export interface StatusComponentsTable {
  id: string;
  page_id: string;
  name: string;
  description: string | null;
  is_group: number;
  group_id: string | null;
  only_show_if_degraded: number;
  position: number;
  showcase: number;
  start_date: string | null;
  status: ComponentStatus;
  automation_delay_seconds: number;
  /** What the linked checks call for while it differs from `status`; null otherwise. */
  check_status: ComponentStatus | null;
  /** Since when (ms) they have called for it: it is applied `automation_delay_seconds` later. */
  check_status_since: number | null;
  created_at: string;
  updated_at: string;
}

export interface StatusIncidentsTable {
  id: string;
  page_id: string;
  name: string;
  status: StatusIncidentStatus;
  body: string | null;
  impact: IncidentImpact;
  deliver_notifications: number;
  /** JSON object. */
  metadata: string;
  scheduled_for: string | null;
  scheduled_until: string | null;
  /** JSON: the maintenance flags (scheduled_remind_prior, auto_transition_*, reminder_intervals…). */
  scheduling: string;
  resolved_at: string | null;
  monitoring_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StatusIncidentUpdatesTable {
  id: string;
  incident_id: string;
  status: StatusIncidentStatus;
  body: string;
  /** JSON: component id → status, as the incident set them when the update was posted. */
  components: string;
  deliver_notifications: number;
  created_at: string;
  updated_at: string;
}

/** A fact that causes later work, in the engine's outbox (see engine-events.ts). */
export interface EngineEventsTable {
  id: string;
  /** What the fact is about (`check:<id>`, `rule:<id>`): one subject's facts are worked in order. */
  subject: string;
  kind: EngineEvent['kind'];
  /** JSON. */
  payload: string;
  created_at: number;
  attempts: number;
  claim_token: string | null;
  claimed_until: number;
}

/** A service maintenance window (maintenance-windows-repo.ts); times in ms. */
export interface MaintenanceWindowsTable {
  id: string;
  description: string | null;
  start_at: number;
  end_at: number;
  /** The user who created it. */
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** An Events API trigger a maintenance window silenced: recorded, no incident opened. */
export interface SuppressedEventsTable {
  id: string;
  service_id: string;
  window_id: string | null;
  dedup_key: string;
  summary: string;
  /** JSON: the event's payload as it came. */
  payload: string;
  received_at: number;
}

/** A status-page subscriber (status-subscriptions-repo.ts). */
export interface StatusSubscribersTable {
  id: string;
  page_id: string;
  /** The channel kind that sends to it: email, webhook, slack, teams, discord. */
  kind: SubscriberChannel;
  address: string;
  /** Lower case: one subscription per page, kind and address. */
  address_lower: string;
  /** A webhook's signing secret. */
  secret: string | null;
  /** Random; the subscriber's links carry it, so deleting the row voids them. */
  link_key: string;
  /** `page` (double opt-in) or `operator`. */
  origin: Subscription['origin'];
  /** 1 when it chose components: with all of them deleted, it hears only of news naming none. */
  limited: number;
  confirmed_at: string | null;
  /** When the mail server refused the address, and its words. */
  rejected_at: string | null;
  rejection: string | null;
  created_at: string;
}

/** Written by the health probe (store/health.ts): a row per probe name, its last write. */
export interface StoreProbeTable {
  name: string;
  written_at: number;
}

export interface Database {
  store_meta: { name: string; value: string };
  engine_events: EngineEventsTable;
  users: UsersTable;
  contact_methods: ContactMethodsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  services: ServicesTable;
  service_teams: ServiceTeamsTable;
  escalation_policies: EscalationPoliciesTable;
  escalation_rules: EscalationRulesTable;
  escalation_targets: EscalationTargetsTable;
  schedules: SchedulesTable;
  heartbeats: HeartbeatsTable;
  check_groups: CheckGroupsTable;
  alert_channels: AlertChannelsTable;
  secrets: SecretsTable;
  check_rollups: CheckRollupsTable;
  check_secrets: { check_id: string; secret_id: string; env_variable: string };
  alert_rules: AlertRulesTable;
  alert_rule_channels: { rule_id: string; channel_id: string };
  alerts: AlertsTable;
  deliveries: DeliveriesTable;
  notification_rules: NotificationRulesTable;
  handoff_rules: HandoffRulesTable;
  handoff_notices: HandoffNoticesTable;
  checks: ChecksTable;
  check_results: CheckResultsTable;
  check_status_history: CheckStatusHistoryTable;
  check_jobs: CheckJobsTable;
  heartbeat_pings: HeartbeatPingsTable;
  heartbeat_flips: HeartbeatFlipsTable;
  schedule_layers: ScheduleLayersTable;
  schedule_layer_users: ScheduleLayerUsersTable;
  schedule_overrides: ScheduleOverridesTable;
  schedule_teams: ScheduleTeamsTable;
  escalation_policy_teams: EscalationPolicyTeamsTable;
  incident_escalations: IncidentEscalationsTable;
  incident_log: IncidentLogTable;
  api_keys: ApiKeysTable;
  engine_lease: EngineLeaseTable;
  /** The processes running checks, each seen until an expiry (check-runs.ts checkNodes). */
  check_nodes: { id: string; seen_until: number };
  sequences: SequencesTable;
  incidents: IncidentsTable;
  incident_assignments: IncidentUsersTable;
  incident_acknowledgements: IncidentUsersTable;
  incident_notes: IncidentNotesTable;
  incident_alerts: IncidentAlertsTable;
  status_pages: StatusPagesTable;
  status_components: StatusComponentsTable;
  status_incidents: StatusIncidentsTable;
  status_incident_components: { incident_id: string; component_id: string; status: ComponentStatus };
  status_incident_updates: StatusIncidentUpdatesTable;
  status_component_checks: { component_id: string; check_id: string };
  store_probe: StoreProbeTable;
  status_subscribers: StatusSubscribersTable;
  status_subscriber_components: { subscriber_id: string; component_id: string };
  status_subscriber_reminders: { incident_id: string; remind_at: number };
  /** Recent subscribe requests per hashed client or contact key (status-subscribe-limits.ts). */
  status_subscribe_limits: { key: string; hits: string; last_at: number };
  maintenance_windows: MaintenanceWindowsTable;
  maintenance_window_services: { window_id: string; service_id: string };
  suppressed_events: SuppressedEventsTable;
  audit_log: AuditLogTable;
}

/** The audit trail (audit-repo.ts): one row a write, or one row counting pings or events an hour. */
export interface AuditLogTable {
  id: string;
  at: number;
  actor_kind: AuditEntry['actor_kind'];
  actor_id: string | null;
  actor_label: string;
  actor_user: string | null;
  address: string | null;
  entry_point: AuditEntry['entry_point'];
  tool: string;
  /** JSON array of ids. */
  object_ids: string;
  summary: string;
  outcome: AuditEntry['outcome'];
  count: number;
  /** Route, object, hour and outcome of a counted row; null for a write. */
  bucket: string | null;
}
