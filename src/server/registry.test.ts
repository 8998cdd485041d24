/**
 * Registry-wide rules: every tool annotated, named and described by the contract, its input
 * schema snapshotted (a change fails CI until the snapshot is accepted with `vitest -u`), and the
 * exposure filter narrowing but never widening.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.js';
import { silentLogger } from '../core/log.js';
import { PORT_NAMES, type PortName } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { pagerDutyProvider } from '../providers/pagerduty/index.js';
import { pingeraProvider } from '../providers/pingera/index.js';
import { TOOLSETS } from '../tools/define-tool.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { type ClientChoice, Exposure } from './exposure.js';
import { defaultProfiles, type Profile, profileNames, resolveSelection, seedProfiles } from './profiles.js';
import { compileTools, type ExposureInput, verdict } from './registry.js';

const compiled = compileTools(ALL_TOOLS);
/** The seeds' profiles, from the two providers standing in for them. */
const SEEDS = seedProfiles(
  [pagerDutyProvider, pingeraProvider].map((make) =>
    make(parseConfig({}), { log: silentLogger(), version: 'test' }),
  ),
);
const ALL_PORTS = new Set<PortName>(PORT_NAMES);
const VERBS = [
  'get',
  'generate',
  'list',
  'create',
  'update',
  'patch',
  'delete',
  'build',
  'test',
  'send',
  'pause',
  'resume',
  'execute',
  'remove',
  'acknowledge',
  'resolve',
  'add',
  'trigger',
  'reassign',
  'escalate',
  'snooze',
];

describe('every tool', () => {
  it('has a unique snake_case name that starts with a verb', () => {
    const names = ALL_TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(VERBS, name).toContain(name.split('_')[0]);
    }
  });

  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))(
    '%s has complete, consistent annotations',
    (_name, tool) => {
      const a = tool.annotations;
      for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof a[key], key).toBe('boolean');
      }
      if (a.readOnlyHint) {
        expect(a.destructiveHint).toBe(false);
        expect(a.idempotentHint).toBe(true);
      }
      if (tool.name.startsWith('delete_')) expect(a.destructiveHint).toBe(true);
      expect(TOOLSETS).toContain(tool.toolset);
    },
  );

  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))(
    '%s has a short description and described parameters',
    (_name, tool) => {
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.description.length).toBeLessThanOrEqual(300);
      const schema = compiled.get(tool.name)?.listing.inputSchema as {
        properties?: Record<string, { description?: string }>;
      };
      for (const [param, property] of Object.entries(schema.properties ?? {})) {
        expect(property.description, `${tool.name}.${param}`).toBeTruthy();
      }
    },
  );

  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s rejects unknown parameters', (_name, tool) => {
    expect(tool.input.safeParse({ no_such_parameter: 1 }).success).toBe(false);
  });

  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s input schema is unchanged (snapshot)', (name) => {
    expect(compiled.get(name)?.listing.inputSchema).toMatchSnapshot();
  });

  it('read tools take include, and their include fields are the output fields', () => {
    for (const tool of compiled.values()) {
      if (tool.write || Object.keys(tool.def.input.shape).length === 0) continue;
      expect(tool.fields, tool.def.name).toEqual(Object.keys(tool.def.output.shape));
    }
  });
});

describe('tools/list size', () => {
  /** Model-visible tokens (name, description, input schema) and whole-entry tokens, 4 chars each. */
  const size = (names: Iterable<string>) => {
    let model = 0;
    let whole = 0;
    for (const name of names) {
      const { listing } = compiled.get(name)!;
      const { name: n, description, inputSchema } = listing;
      model += JSON.stringify({ name: n, description, inputSchema }).length;
      whole += JSON.stringify(listing).length;
    }
    return { model: Math.ceil(model / 4), whole: Math.ceil(whole / 4) };
  };
  const listedBy = (env: Record<string, string>, defaults: Profile[]) => {
    const config = parseConfig(env);
    const exposure = new Exposure({ config, tools: compiled, ports: ALL_PORTS, defaults, seeds: SEEDS });
    const input = exposure.input({ kind: 'local', label: 't', mode: config.mode });
    return [...compiled.values()].filter((t) => verdict(t, input) === 'exposed').map((t) => t.def.name);
  };
  const PROFILE_SIZES = {
    // profile, mode → [tools, model-visible tokens, whole-list tokens] as accepted (BENCHMARKS.md 13).
    'core read_write': [40, 10851, 21578],
    'core read_only': [21, 5729, 10853],
    'pagerduty read_write': [12, 3225, 5986],
    'pingera read_only': [36, 7144, 15634],
    'pingera read_write': [79, 19911, 39763],
    'all read_write': [137, 34450, 66712],
  } as const;

  it.each(Object.entries(PROFILE_SIZES))('%s stays within 5%% of its accepted size', (key, accepted) => {
    const [profile, mode] = key.split(' ') as [Profile, string];
    const names = listedBy({ VIGIL_MODE: mode, VIGIL_TOOLSETS: profile }, ['core']);
    const { model, whole } = size(names);
    console.info(`${key}: ${names.length} tools, ${model} model-visible tokens, ${whole} tokens in all`);
    // Grown past 5%: cut descriptions or schemas, or accept the new size here and in BENCHMARKS.md.
    expect(names.length).toBeLessThanOrEqual(Math.ceil(accepted[0] * 1.05));
    expect(model).toBeLessThanOrEqual(accepted[1] * 1.05);
    expect(whole).toBeLessThanOrEqual(accepted[2] * 1.05);
  });

  it('keeps the embedded default within 40 tools and 12k model-visible tokens in read-write', () => {
    const names = listedBy({ VIGIL_MODE: 'read_write' }, ['core']);
    expect(names.length).toBeLessThanOrEqual(40);
    expect(size(names).model).toBeLessThanOrEqual(12_000);
  });

  it('keeps the cost of a tool at 500 tokens on average', () => {
    expect(size(compiled.keys()).whole / compiled.size).toBeLessThan(500);
  });
});

describe('profiles', () => {
  const meta = ALL_TOOLS.map((t) => ({ name: t.name, toolset: t.toolset }));

  it("name only tools that exist, and the seeds' tools exactly", () => {
    expect(profileNames(SEEDS)).toEqual(['default', 'all', 'core', 'pagerduty', 'pingera']);
    for (const profile of profileNames(SEEDS)) {
      const names = resolveSelection([profile], meta, ['core'], SEEDS);
      for (const name of names) expect(compiled.has(name), `${profile}: ${name}`).toBe(true);
    }
    expect([...resolveSelection(['pagerduty'], meta, [], SEEDS)].sort()).toEqual(
      ALL_TOOLS.filter((t) => ['incidents', 'oncall', 'directory'].includes(t.toolset))
        .map((t) => t.name)
        .filter(
          (n) =>
            !/^(create|update|delete)_|trigger|reassign|escalate|snooze|timeline|overview|override|notification_rule|maintenance_window/.test(
              n,
            ),
        )
        .sort(),
    );
    const pingera = resolveSelection(['pingera'], meta, [], SEEDS);
    expect(pingera.has('test_pingera_connection')).toBe(true);
    expect(pingera.has('get_incidents')).toBe(false);
    expect(pingera.has('create_alert_channel')).toBe(false);
  });

  it('default follows the providers: a SaaS credential alone lists its seed, else the core', () => {
    expect(defaultProfiles([], false)).toEqual(['core']);
    expect(defaultProfiles(['pagerduty'], false)).toEqual(['pagerduty']);
    expect(defaultProfiles(['pagerduty', 'pingera'], false)).toEqual(['pagerduty', 'pingera']);
    expect(defaultProfiles(['pagerduty'], true)).toEqual(['pagerduty', 'core']);
  });

  it('refuse an unknown name, naming the valid ones', () => {
    expect(() => resolveSelection(['pages'], meta, [])).toThrow(
      /unknown toolset or profile 'pages'; profiles: default, all, core.*toolsets: status_pages/,
    );
  });
});

describe('exposure', () => {
  const ports = new Set<PortName>(['directory', 'meta']);
  const rw: Principal = { kind: 'local', label: 't', mode: 'read_write' };
  const exposureOf = (env: Record<string, string>, p = ports) =>
    new Exposure({ config: parseConfig(env), tools: compiled, ports: p, defaults: ['all'] });
  const x = (env: Record<string, string>, principal = rw, choice?: ClientChoice): ExposureInput =>
    exposureOf(env).input(principal, choice);
  const visible = (input: ExposureInput) =>
    [...compiled.values()].filter((t) => verdict(t, input) === 'exposed').map((t) => t.def.name);

  it('does not list what the serving provider cannot do at all, in any mode', () => {
    const unsupported = new Map([['create_user', 'pagerduty']]);
    const input = { ...x({ VIGIL_MODE: 'read_write' }), unsupported };
    expect(verdict(compiled.get('create_user')!, input)).toBe('unsupported');
    expect(visible(input)).not.toContain('create_user');
    expect(visible(input)).toContain('update_user');
  });

  it('hides write tools in read-only mode, and a read_write key cannot widen it', () => {
    expect(visible(x({}))).not.toContain('create_user');
    expect(verdict(compiled.get('create_user')!, x({}))).toBe('read_only');
    expect(visible(x({ VIGIL_MODE: 'read_write' }))).toContain('create_user');
    const roKey: Principal = { ...rw, mode: 'read_only' };
    expect(verdict(compiled.get('create_user')!, x({ VIGIL_MODE: 'read_write' }, roKey))).toBe('read_only');
  });

  it('X-MCP-Tools chooses within the ceiling and never past the mode', () => {
    expect(visible(x({ VIGIL_MODE: 'read_write' }, rw, { tools: ['get_users', 'create_user'] }))).toEqual([
      'get_users',
      'create_user',
    ]);
    expect(visible(x({}, rw, { tools: ['get_users', 'create_user'] }))).toEqual(['get_users']);
    expect(visible(x({ VIGIL_TOOLS: 'get_teams' }, rw, { tools: ['get_users', 'get_teams'] }))).toEqual([
      'get_teams',
    ]);
    expect(visible(x({}, rw, { tools: [] }))).toEqual([]);
  });

  it('X-MCP-Toolsets lists another profile, within what VIGIL_TOOLSETS allows', () => {
    const all = new Set<PortName>(PORT_NAMES);
    const core = new Exposure({ config: parseConfig({}), tools: compiled, ports: all, defaults: ['core'] });
    const listed = (e: Exposure, choice?: ClientChoice) => visible(e.input(rw, choice)).sort();
    expect(listed(core)).not.toContain('get_teams');
    expect(listed(core, { toolsets: ['directory'] })).toEqual([
      'build_user_context',
      'get_services',
      'get_teams',
      'get_users',
    ]);
    expect(listed(core, { toolsets: ['all'] })).toContain('list_check_groups');
    // Outside the default profile a tool is not listed but can still be called by name; outside
    // what a client chose, it cannot.
    expect(verdict(compiled.get('get_teams')!, core.input(rw))).toBe('unlisted');
    expect(verdict(compiled.get('get_teams')!, core.input(rw, { toolsets: ['core'] }))).toBe('hidden');
    expect(verdict(compiled.get('get_teams')!, core.input(rw, { tools: ['get_users'] }))).toBe('hidden');
    const narrowed = new Exposure({
      config: parseConfig({ VIGIL_TOOLSETS: 'meta' }),
      tools: compiled,
      ports: all,
      defaults: ['core'],
    });
    expect(listed(narrowed, { toolsets: ['all'] })).toEqual([
      'get_audit_log',
      'test_connection',
      'test_pingera_connection',
    ]);
    expect(verdict(compiled.get('get_teams')!, narrowed.input(rw))).toBe('hidden');
  });

  it('applies toolsets, tool lists, exclusions, key toolsets and missing ports', () => {
    const meta = ['test_connection', 'test_pingera_connection'];
    expect(visible(x({ VIGIL_TOOLSETS: 'meta' }))).toEqual(meta);
    expect(visible(x({ VIGIL_EXCLUDE_TOOLS: 'get_users,test_connection' }))).toEqual([
      'get_teams',
      'get_services',
      'build_user_context',
      'test_pingera_connection',
    ]);
    expect(visible(x({}, { ...rw, toolsets: ['meta'] }))).toEqual(meta);
    expect(visible(exposureOf({}, new Set<PortName>(['meta'])).input(rw))).toEqual(meta);
  });

  it('refuses an unknown name in any setting or header, naming the setting and the valid names', () => {
    expect(() => exposureOf({ VIGIL_TOOLSETS: 'pages' })).toThrow(
      /^VIGIL_TOOLSETS: unknown toolset or profile 'pages'; profiles: .*status_pages/,
    );
    expect(() => exposureOf({ VIGIL_TOOLS: 'get_incident' })).toThrow(
      /^VIGIL_TOOLS: unknown tool 'get_incident'; did you mean 'get_incidents'/,
    );
    expect(() => exposureOf({ VIGIL_EXCLUDE_TOOLS: 'nope' })).toThrow(
      /^VIGIL_EXCLUDE_TOOLS: unknown tool 'nope'/,
    );
    const e = exposureOf({});
    expect(e.problemWith({ tools: ['get_user'] })).toMatch(
      /^X-MCP-Tools: unknown tool 'get_user'; did you mean 'get_users'/,
    );
    expect(e.problemWith({ toolsets: ['everything'] })).toMatch(
      /^X-MCP-Toolsets: unknown toolset or profile 'everything'/,
    );
    expect(e.problemWith({ tools: ['get_users'], toolsets: ['core'] })).toBeUndefined();
  });
});
