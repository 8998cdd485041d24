/**
 * The Pingera seed's tools: the `pingera` profile is every tool of its toolsets but those Vigil
 * added to them.
 */
import type { ToolInfo } from '../../core/provider.js';

const SEED_TOOLSETS = ['status_pages', 'checks', 'heartbeats', 'alerts', 'meta'];

const BEYOND_SEED = new Set([
  'get_check_status_history',
  'create_check_group',
  'update_check_group',
  'delete_check_group',
  'create_alert_channel',
  'update_alert_channel',
  'delete_alert_channel',
  'test_connection',
  'get_audit_log',
  'list_status_page_subscriptions',
  'get_status_page_subscription',
  'create_status_page_subscription',
  'delete_status_page_subscription',
  'get_status_page_subscription_counts',
  'get_incident_notification_counts',
]);

export function pingeraSeedTools(tools: readonly ToolInfo[]): string[] {
  return tools
    .filter((t) => SEED_TOOLSETS.includes(t.toolset) && !BEYOND_SEED.has(t.name))
    .map((t) => t.name);
}
