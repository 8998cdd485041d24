/**
 * Which tools a client is shown: named profiles and the selection grammar shared by
 * `VIGIL_TOOLSETS` and the `X-MCP-Toolsets` header. Clients cap the number of tools and every
 * listed token is paid in every conversation, so the default list is curated; the rest is one
 * setting away. A selection names what is listed, not what may be called: mode, exclusions and
 * a key's toolsets still decide that. Besides `all`, `core` and `default`, each provider standing
 * in for a seed server names a profile of that seed's tools (core/provider.ts, `seedTools`).
 */
import { suggest } from '../core/include.js';
import type { Provider } from '../core/provider.js';
import { TOOLSETS, type Toolset } from '../tools/define-tool.js';

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

/** The profiles every server has; the seeds' come from the providers. */
const BUILT_IN = ['default', 'all', 'core'] as const;

/** A profile's name: a built-in one, or a seed's (its provider's name). */
export type Profile = string;

/** The seeds' profiles: each provider's name and the tools of the seed it stands in for. */
export type Seeds = ReadonlyMap<string, (tools: readonly ToolMeta[]) => readonly string[]>;

/** The seeds' profiles of a list of providers, in its order. */
export function seedProfiles(providers: readonly Provider[]): Seeds {
  return new Map(
    providers.flatMap((p) =>
      p.seedTools ? [[p.name, (tools: readonly ToolMeta[]) => p.seedTools?.(tools) ?? []]] : [],
    ),
  );
}

/** Every profile name a selection may use. */
export function profileNames(seeds: Seeds): string[] {
  return [...BUILT_IN, ...seeds.keys()];
}

export interface ToolMeta {
  name: string;
  toolset: Toolset;
}

/** A bad name in a selection; the message names it and what is accepted. */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * The profiles `default` stands for: the seeds of the providers in use, alone when only their
 * credentials were given (a drop-in for that seed: its tools, not an empty engine's), and the core
 * beside them when there are none or the embedded engine was named too.
 */
export function defaultProfiles(seedsInUse: readonly string[], embeddedNamed: boolean): Profile[] {
  if (seedsInUse.length && !embeddedNamed) return [...seedsInUse];
  return [...seedsInUse, 'core'];
}

function profileTools(profile: Profile, tools: readonly ToolMeta[], seeds: Seeds): readonly string[] {
  if (profile === 'all') return tools.map((t) => t.name);
  if (profile === 'core') return CORE;
  return seeds.get(profile)?.(tools) ?? [];
}

/**
 * The tool names a selection lists: each entry a toolset (all its tools), a profile, or `all`.
 * Throws SelectionError on any name that is none of these.
 */
export function resolveSelection(
  entries: readonly string[],
  tools: readonly ToolMeta[],
  defaults: readonly Profile[],
  seeds: Seeds = new Map(),
): Set<string> {
  const profiles = profileNames(seeds);
  const unknown = entries.filter(
    (e) => !(TOOLSETS as readonly string[]).includes(e) && !profiles.includes(e),
  );
  if (unknown.length)
    throw new SelectionError(
      `unknown toolset or profile ${quoted(unknown)}; profiles: ${profiles.join(', ')}; toolsets: ${TOOLSETS.join(', ')}`,
    );
  const out = new Set<string>();
  for (const entry of entries) {
    if ((TOOLSETS as readonly string[]).includes(entry)) {
      for (const t of tools) if (t.toolset === entry) out.add(t.name);
      continue;
    }
    for (const p of entry === 'default' ? defaults : [entry])
      for (const name of profileTools(p, tools, seeds)) out.add(name);
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
