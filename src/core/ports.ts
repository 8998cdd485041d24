/**
 * The ports a provider may implement. A tool names the port it needs; a tool whose port no
 * active provider serves is not listed.
 */
import { z } from 'zod';
import type { AlertsPort } from './alerts.js';
import type { AuditPort } from './audit.js';
import type { ChecksPort } from './checks.js';
import type { DirectoryPort } from './directory.js';
import type { EscalationPort } from './escalation.js';
import type { HeartbeatsPort } from './heartbeats.js';
import type { IncidentsPort } from './incidents.js';
import type { MaintenanceWindowsPort } from './maintenance-windows.js';
import type { NotificationRulesPort } from './notification-rules.js';
import type { SchedulesPort } from './schedules.js';
import type { SecretsPort } from './secrets.js';
import type { StatusPagesPort } from './status-pages.js';
import type { StatusSubscriptionsPort } from './status-subscriptions.js';

/** One provider's answer to test_connection, defined once: its type derives from it, the tools list it. */
export const connectionReportSchema = z.object({
  provider: z.string(),
  connected: z.boolean(),
  details: z.object({}).loose(),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;

export interface MetaPort {
  /** One report per provider behind this server, or only for the one named. */
  testConnection(provider?: string): Promise<ConnectionReport[]>;
}

/**
 * Credentials a caller brings for SaaS providers, by provider name, used for that call only: what
 * each provider read from the request itself (core/provider.ts, `credential`).
 */
export type UpstreamCredentials = Readonly<Record<string, string | undefined>>;

export interface Ports {
  directory?: DirectoryPort;
  incidents?: IncidentsPort;
  escalation?: EscalationPort;
  /** Service maintenance windows (PagerDuty's `/maintenance_windows`). */
  maintenanceWindows?: MaintenanceWindowsPort;
  /** Users' notification rules and on-call handoff rules (PagerDuty's `/users/{id}/…_rules`). */
  notificationRules?: NotificationRulesPort;
  schedules?: SchedulesPort;
  heartbeats?: HeartbeatsPort;
  checks?: ChecksPort;
  alerts?: AlertsPort;
  secrets?: SecretsPort;
  statusPages?: StatusPagesPort;
  /** Status-page subscribers (email, webhook, chat). */
  statusSubscriptions?: StatusSubscriptionsPort;
  meta?: MetaPort;
  /** The audit trail: the server records writes through it, `get_audit_log` reads it. */
  audit?: AuditPort;
}

export type PortName = keyof Ports;

export const PORT_NAMES = [
  'directory',
  'incidents',
  'escalation',
  'maintenanceWindows',
  'notificationRules',
  'schedules',
  'heartbeats',
  'checks',
  'alerts',
  'secrets',
  'statusPages',
  'statusSubscriptions',
  'meta',
  'audit',
] as const satisfies readonly PortName[];
