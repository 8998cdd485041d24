/**
 * Registry-wide rules: every tool annotated, named and described by the contract, its input
 * schema snapshotted (a change fails CI until the snapshot is accepted with `vitest -u`), and the
 * exposure filter narrowing but never widening.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.js';
import type { PortName } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { TOOLSETS } from '../tools/define-tool.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { compileTools, type ExposureInput, verdict } from './registry.js';

const compiled = compileTools(ALL_TOOLS);
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
  it('reports the token size of tools/list per mode and stays within budget', () => {
    const sizes: Record<string, number> = {};
    for (const mode of ['read_only', 'read_write'] as const) {
      const listed = [...compiled.values()]
        .filter((t) => mode === 'read_write' || !t.write)
        .map((t) => t.listing);
      sizes[mode] = Math.ceil(JSON.stringify({ tools: listed }).length / 4);
    }
    console.info(
      `tools/list ≈ ${sizes.read_only} tokens read-only, ${sizes.read_write} tokens read-write (4 chars/token)`,
    );
    expect(sizes.read_only).toBeLessThan(sizes.read_write as number);
    // The whole list grows with every toolset (VIGIL_TOOLSETS keeps a client's list small); what
    // must not grow is the cost of a tool: at most 500 tokens each on average.
    expect((sizes.read_write as number) / compiled.size).toBeLessThan(500);
  });
});

describe('exposure', () => {
  const ports = new Set<PortName>(['directory', 'meta']);
  const rw: Principal = { kind: 'local', label: 't', mode: 'read_write' };
  const x = (env: Record<string, string>, principal = rw, headerTools?: string[]): ExposureInput => ({
    config: parseConfig(env),
    ports,
    principal,
    headerTools,
  });
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

  it('X-MCP-Tools narrows and never widens', () => {
    expect(visible(x({ VIGIL_MODE: 'read_write' }, rw, ['get_users', 'create_user']))).toEqual([
      'get_users',
      'create_user',
    ]);
    expect(visible(x({}, rw, ['get_users', 'create_user']))).toEqual(['get_users']);
    expect(visible(x({ VIGIL_TOOLS: 'get_teams' }, rw, ['get_users', 'get_teams']))).toEqual(['get_teams']);
    expect(visible(x({}, rw, []))).toEqual([]);
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
    expect(visible({ ...x({}), ports: new Set<PortName>(['meta']) })).toEqual(meta);
  });
});
