/**
 * Every tool Vigil defines, in the order `tools/list` shows them.
 */

import { alertTools } from './alerts.js';
import { auditTools } from './audit.js';
import { checkGroupTools } from './check-groups.js';
import { checkRunTools } from './check-runs.js';
import { checkScriptTools } from './check-scripts.js';
import { checkTools } from './checks.js';
import type { ToolDefinition } from './define-tool.js';
import { directoryReadTools } from './directory-read.js';
import { directoryWriteTools } from './directory-write.js';
import { escalationTools } from './escalation.js';
import { heartbeatTools } from './heartbeats.js';
import { incidentTools } from './incidents.js';
import { maintenanceWindowTools } from './maintenance-windows.js';
import { metaTools } from './meta.js';
import { notificationRuleTools } from './notification-rules.js';
import { getStatusOverview } from './overview.js';
import { scheduleWriteTools } from './schedule-write.js';
import { scheduleReadTools } from './schedules.js';
import { scriptTemplateTools } from './script-templates.js';
import { secretTools } from './secrets.js';
import { statusIncidentTools } from './status-incidents.js';
import { statusPageTools } from './status-pages.js';
import { statusSubscriptionTools } from './status-subscriptions.js';

export const ALL_TOOLS: readonly ToolDefinition[] = [
  ...directoryReadTools,
  ...directoryWriteTools,
  ...notificationRuleTools,
  ...incidentTools,
  ...maintenanceWindowTools,
  getStatusOverview,
  ...escalationTools,
  ...scheduleReadTools,
  ...scheduleWriteTools,
  ...heartbeatTools,
  ...checkTools,
  ...checkRunTools,
  ...checkScriptTools,
  ...scriptTemplateTools,
  ...checkGroupTools,
  ...secretTools,
  ...alertTools,
  ...statusPageTools,
  ...statusIncidentTools,
  ...statusSubscriptionTools,
  ...metaTools,
  ...auditTools,
];
