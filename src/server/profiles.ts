/**
 * Which tools a client is shown: named profiles and the selection grammar shared by
 * `VIGIL_TOOLSETS` and the `X-MCP-Toolsets` header. Clients cap the number of tools and every
 * listed token is paid in every conversation, so the default list is curated; the rest is one
 * setting away. A selection names what is listed, not what may be called: mode, exclusions and
 * a key's toolsets still decide that.
 */
import { suggest } from '../core/include.js';
import { TOOLSETS, type Toolset } from '../tools/define-tool.js';

/** The PagerDuty seed's tools, exactly (its three writes included). */
const PAGERDUTY_SEED = [
  'get_escalation_policies',
  'get_incidents',
  'get_oncalls',
  'get_schedules',
  'get_services',
  'get_teams',
  'get_users',
  'list_users_oncall',
  'build_user_context',
  'acknowledge_incident',
  'resolve_incident',
  'add_incident_note',
];

/** Tools Vigil added to the Pingera seed's toolsets; the `pingera` profile leaves them out. */
const BEYOND_PINGERA_SEED = new Set([
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
const PINGERA_TOOLSETS: readonly Toolset[] = ['status_pages', 'checks', 'heartbeats', 'alerts', 'meta'];

/**
 * The embedded engine's curated default: the questions people ask most (what is broken, who is
 * on call, open incidents, how a check is doing) and the actions that follow them. At most 40
 * tools; `registry.test.ts` holds its size.
 */
const CORE = [
  // what is wrong, who is on call
  'get_status_overview',
  'get_incidents',
  'get_incident_timeline',
  'get_oncalls',
  'list_users_oncall',
  'get_schedules',
  'get_escalation_policies',
  'get_users',
  'get_services',
  'build_user_context',
  // respond
  'acknowledge_incident',
  'resolve_incident',
  'add_incident_note',
  'trigger_incident',
  'escalate_incident',
  'reassign_incident',
  'snooze_incident',
  'create_schedule_override',
  // detect
  'list_checks',
  'get_check_details',
  'get_check_results',
  'get_check_statistics',
  'create_check',
  'update_check',
  'pause_check',
  'resume_check',
  'delete_check',
  'execute_existing_check',
  'list_heartbeats',
  'get_heartbeat_details',
  'create_heartbeat',
  'list_alerts',
  'list_alert_rules',
  'create_alert',
  // tell customers
  'list_pages',
  'list_components',
  'list_incidents',
  'create_incident',
  'update_incident',
  'add_incident_update',
];

export const PROFILES = ['default', 'all', 'core', 'pagerduty', 'pingera'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ToolMeta {
  name: string;
  toolset: Toolset;
}

/** A bad name in a selection; the message names it and what is accepted. */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/** The profile `default` stands for, from the providers in use. */
export function defaultProfiles(providers: ReadonlySet<string>, providersNamed: boolean): Profile[] {
  const saas = (['pagerduty', 'pingera'] as const).filter((p) => providers.has(p));
  // A SaaS credential alone means a drop-in for that seed: its tools, not an empty engine's.
  if (saas.length && !(providersNamed && providers.has('embedded'))) return saas;
  return [...saas, 'core'];
}

function profileTools(profile: Exclude<Profile, 'default'>, tools: readonly ToolMeta[]): string[] {
  switch (profile) {
    case 'all':
      return tools.map((t) => t.name);
    case 'core':
      return CORE;
    case 'pagerduty':
      return PAGERDUTY_SEED;
    case 'pingera':
      return tools
        .filter((t) => PINGERA_TOOLSETS.includes(t.toolset) && !BEYOND_PINGERA_SEED.has(t.name))
        .map((t) => t.name);
  }
}

/**
 * The tool names a selection lists: each entry a toolset (all its tools), a profile, or `all`.
 * Throws SelectionError on any name that is none of these.
 */
export function resolveSelection(
  entries: readonly string[],
  tools: readonly ToolMeta[],
  defaults: readonly Profile[],
): Set<string> {
  const unknown = entries.filter(
    (e) => !(TOOLSETS as readonly string[]).includes(e) && !(PROFILES as readonly string[]).includes(e),
  );
  if (unknown.length)
    throw new SelectionError(
      `unknown toolset or profile ${quoted(unknown)}; profiles: ${PROFILES.join(', ')}; toolsets: ${TOOLSETS.join(', ')}`,
    );
  const out = new Set<string>();
  for (const entry of entries) {
    if ((TOOLSETS as readonly string[]).includes(entry)) {
      for (const t of tools) if (t.toolset === entry) out.add(t.name);
      continue;
    }
    const profiles = entry === 'default' ? defaults : [entry as Exclude<Profile, 'default'>];
    for (const p of profiles)
      for (const name of profileTools(p as Exclude<Profile, 'default'>, tools)) out.add(name);
  }
  return out;
}

/** Throws SelectionError when `names` holds a tool that does not exist, with the nearest names. */
export function checkToolNames(names: readonly string[], tools: readonly ToolMeta[]): void {
  const known = tools.map((t) => t.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (!unknown.length) return;
  const near = unknown.flatMap((n) => suggest(n, known));
  throw new SelectionError(
    `unknown tool ${quoted(unknown)}${near.length ? `; did you mean ${quoted(near)}?` : ''} (\`vigil tools\` lists every tool)`,
  );
}

/** Throws SelectionError when `names` holds something that is not a toolset. */
export function checkToolsets(names: readonly string[]): void {
  const unknown = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
  if (unknown.length)
    throw new SelectionError(`unknown toolset ${quoted(unknown)}; toolsets: ${TOOLSETS.join(', ')}`);
}
